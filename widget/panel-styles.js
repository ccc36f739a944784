// The chat panel's stylesheet, adopted by the shadow root as a constructed stylesheet (no <style>, so
// a host page's CSP without 'unsafe-inline' does not block it; one request, no panel.css).
// Sizes, colours and fonts are explicit on everything: the host page's CSS does not reach in.

export const CSS = `
*{box-sizing:border-box}
[hidden]{display:none!important}
.p{position:fixed;inset:auto;right:20px;bottom:20px;margin:0;border:0;padding:0;z-index:2147483000;width:380px;height:min(620px,calc(100vh - 40px));
 display:flex;flex-direction:column;overflow:hidden;background:#fff;color:#1a1a1a;border-radius:12px;
 box-shadow:0 8px 30px rgba(0,0,0,.35);font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
 text-align:left;letter-spacing:normal;word-spacing:normal}
.p.fp{top:0;left:0;right:0;bottom:0;width:auto;height:auto;border-radius:0;box-shadow:none}
.fp .bd:not(.ch),.fp .ms,.fp .ft,.fp .ty{padding-left:max(16px,calc(50% - 360px));padding-right:max(16px,calc(50% - 360px))}
@media (max-width:480px){.p{top:0;left:0;right:0;bottom:0;width:auto;height:auto;border-radius:0}}
:focus-visible{outline:3px solid #0b0c0c;outline-offset:2px;box-shadow:0 0 0 2px #ffbf47}
.hd{display:flex;align-items:center;gap:8px;padding:8px 8px 8px 16px;background:#005f73;color:#fff}
.hd .t{flex:1;min-width:0;font-weight:700;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.hd .t span{display:block;font-size:14px;font-weight:400;white-space:normal;overflow-wrap:anywhere}
button{font:inherit;color:inherit;cursor:pointer}
.qx{border:2px solid #0b0c0c;border-radius:8px;background:#ffbf47;color:#0b0c0c;font-weight:700;padding:6px 12px;min-height:40px}
.x{border:0;border-radius:8px;background:none;color:#fff;font-size:26px;line-height:1;width:40px;height:40px}
.cn{margin:0;padding:6px 16px;background:#fff4ce;font-size:14px}
.bd{flex:1;min-height:0;overflow:auto;padding:16px}
.ch{display:flex;flex-direction:column;padding:0}
.ms{flex:1;min-height:0;overflow:auto;display:flex;flex-direction:column;gap:6px;padding:12px 16px}
.ft{border-top:1px solid #d5dadd;padding:10px 16px 12px}
h2{font-size:20px;margin:0 0 10px}h3{font-size:16px;margin:16px 0 6px}p{margin:0 0 10px}
label{display:block;font-weight:600;margin:12px 0 4px}
input,select,textarea{display:block;width:100%;font:inherit;color:#1a1a1a;background:#fff;
 border:2px solid #5a6470;border-radius:6px;padding:8px;margin:0}
textarea{resize:none}
[aria-invalid=true]{border-color:#b00020}
.hint,.sm{font-size:14px;color:#4a535c}.sm{margin:4px 0 0}
.err{color:#b00020;font-weight:600;margin:6px 0 0}
.sos{font-size:14px;padding:6px 10px;border-left:4px solid #b00020;background:#fdf2f3}
.b{border:2px solid #005f73;border-radius:8px;background:#005f73;color:#fff;font-weight:600;padding:8px 16px;min-height:44px;margin:14px 8px 0 0}
.b:hover{background:#004b5b}
.b2{background:#fff;color:#005f73}.b2:hover{background:#e6f0f2}
.lk{border:0;background:none;color:#005f73;text-decoration:underline;padding:8px 0;min-height:40px}
table{border-collapse:collapse;width:100%;font-size:15px}th,td{text-align:left;padding:4px 8px 4px 0;border-bottom:1px solid #e3e7e9}
th{font-weight:400}tr.td th,tr.td td{font-weight:700}
ul{margin:0;padding:0;list-style:none}li{margin:0 0 8px}
a{color:#005f73;font-weight:600}
.big{font-size:20px;font-weight:700}
.m{max-width:85%;align-self:flex-start;padding:8px 12px;border-radius:14px 14px 14px 4px;background:#eef1f3;
 white-space:pre-wrap;overflow-wrap:anywhere}
.sy{align-self:center;max-width:90%;margin:4px 0;padding:6px 12px;border-radius:10px;background:#fff3cd;color:#3d2c00;font-size:14px;text-align:center}
.m.me{align-self:flex-end;border-radius:14px 14px 4px 14px;background:#005f73;color:#fff}
.m .a{display:block;font-size:12px;opacity:.85;margin-bottom:2px;white-space:normal}
.m.pe{opacity:.7}.m.fa{background:#fde7ea;color:#1a1a1a;outline:2px solid #b00020}
.m .e{display:block;font-size:13px;font-weight:600;margin-top:4px;white-space:normal}
.m .e button{border:0;background:none;text-decoration:underline;padding:0 0 0 6px;font-weight:600}
.ty{margin:0;padding:0 16px 4px;font-size:14px;font-style:italic;color:#4a535c}
.row{display:flex;gap:8px;align-items:flex-end}.row textarea{flex:1;max-height:120px}.row .b{margin:0}
.st{display:flex;gap:2px}
.st button{border:0;background:none;font-size:34px;line-height:1;color:#8a939b;min-width:44px;min-height:44px;padding:0}
.st button.on{color:#b26a00}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;
