"""The widget's files as host pages download them: compressed once, versioned, cached for good.

At startup (when the blueprint is registered) every file in WIDGET_DIR is read and compressed with
brotli and gzip, so a request only picks the bytes for its Accept-Encoding. The panel's modules are
served under /widget/v/<version>/<file>, where <version> is a hash of their contents: such a URL
never changes meaning, so browsers keep it for a year without asking again (immutable), and the
modules, which import each other relatively, always come from one release. The loader keeps its
stable URL (/widget.js, the one in the schools' pages) with a short max-age; the version is written
into it at startup (the `BUILD = "dev"` line), so a new release reaches visitors within that time.
The unversioned /widget/<file> still works (the loader's file opened without this server, old
pages mid-release) and is revalidated on every use.
"""

import gzip
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

import brotli
from flask import current_app, request

from . import bp

LOADER = "widget.js"
LOADER_MAX_AGE = 300  # how long a release takes to reach every page view
IMMUTABLE = "public, max-age=31536000, immutable"
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
BUILD_MARKER = b'BUILD = "dev"'  # in widget.js: replaced by the version of the panel's modules
VERSION_LENGTH = 16


@dataclass(frozen=True)
class WidgetFile:
    """One file in every encoding we send, with an ETag per encoding (they are different bytes)."""
    content_type: str
    encodings: dict  # "br" | "gzip" | "identity" -> bytes
    etags: dict


@dataclass(frozen=True)
class WidgetFiles:
    version: str
    files: dict  # file name -> WidgetFile


_built: dict = {}  # (directory, [(name, mtime, size)]) -> WidgetFiles: a test app per test reuses them
_lock = threading.Lock()


def build(directory: str) -> WidgetFiles:
    """Read and compress every widget file once (cached per directory and file stamps)."""
    root = Path(directory)
    sources = sorted(p for p in root.iterdir() if p.suffix in TYPES and p.is_file()) if root.is_dir() else []
    if not any(p.name == LOADER for p in sources):
        raise RuntimeError(f"WIDGET_DIR={directory} holds no {LOADER}: set WIDGET_DIR to the release's widget/ folder")
    stamp = (str(root), tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sources))
    with _lock:
        if stamp not in _built:
            _built.clear()  # only the current files are ever served
            _built[stamp] = _compress_all(sources)
        return _built[stamp]


def _compress_all(sources: list[Path]) -> WidgetFiles:
    raw = {p.name: p.read_bytes() for p in sources}
    modules = hashlib.sha256()
    for name in sorted(raw):
        if name != LOADER:
            modules.update(name.encode() + b"\0" + raw[name] + b"\0")
    version = modules.hexdigest()[:VERSION_LENGTH]
    if BUILD_MARKER not in raw[LOADER]:
        raise RuntimeError(f"{LOADER} lost its '{BUILD_MARKER.decode()}' line: the server cannot version the panel")
    raw[LOADER] = raw[LOADER].replace(BUILD_MARKER, b'BUILD = "' + version.encode() + b'"', 1)
    files = {}
    for name, data in raw.items():
        encodings = {"br": brotli.compress(data, quality=11, mode=brotli.MODE_TEXT),
                     "gzip": gzip.compress(data, compresslevel=9, mtime=0), "identity": data}
        tag = hashlib.sha256(data).hexdigest()[:20]
        files[name] = WidgetFile(TYPES[Path(name).suffix], encodings,
                                 {coding: f"{tag}-{coding}" for coding in encodings})
    return WidgetFiles(version, files)


@bp.record_once
def _build_at_startup(state) -> None:
    state.app.extensions["clbchat.widget_files"] = build(state.app.config["WIDGET_DIR"])


def _current() -> WidgetFiles:
    return current_app.extensions["clbchat.widget_files"]


@bp.get("/widget.js")
def widget_loader():
    return _answer(LOADER, f"public, max-age={LOADER_MAX_AGE}")


@bp.get("/widget/v/<version>/<name>")
def versioned_widget_file(version, name):
    if version != _current().version:
        # Another release (a rolling deploy: the loader came from a host one version ahead or behind).
        # Our current file beats a broken panel; it must not be kept under that version's URL.
        return _answer(name, "no-store")
    return _answer(name, IMMUTABLE)


@bp.get("/widget/<name>")
def widget_file(name):
    # Unversioned: the modules import each other relatively, so revalidate (a 304 when unchanged)
    # rather than risk a panel built from two releases.
    return _answer(name, "no-cache")


def _answer(name: str, cache_control: str):
    file = _current().files.get(name)
    if file is None:
        return current_app.response_class("Not found", status=404, mimetype="text/plain")
    coding = _pick_encoding(request.accept_encodings)
    etag = file.etags[coding]
    headers = {"Cache-Control": cache_control, "Vary": "Accept-Encoding", "ETag": f'"{etag}"',
               "Access-Control-Allow-Origin": "*"}  # module scripts from another origin need CORS
    if coding != "identity":
        headers["Content-Encoding"] = coding
    if request.if_none_match.contains(etag):
        return current_app.response_class(status=304, headers=headers)
    return current_app.response_class(file.encodings[coding], headers=headers, content_type=file.content_type)


def _pick_encoding(accepted) -> str:
    """brotli if the client takes it, else gzip, else the plain bytes (q=0 means 'not this one')."""
    for coding in ("br", "gzip"):
        if accepted[coding] > 0:
            return coding
    return "identity"
