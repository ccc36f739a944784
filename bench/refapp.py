"""Reference servers for the benchmarks (never the service itself).

- `app`: a bare WSGI app that answers every request with a fixed small JSON body, run under the
  same gunicorn config as the service (`gunicorn -c backend/gunicorn.conf.py bench.refapp:app`):
  the floor of the server stack without Flask, the database or the service's code.
- `python -m bench.refapp echo PORT`: a plain `websockets` (asyncio) echo server, the reference for
  the message round trip.
"""

import asyncio
import sys

BODY = b'{"site":{"slug":"bench","name":"Bench","hide_when_closed":false},"open":true}' * 12


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(BODY))),
                              ("Cache-Control", "public, max-age=60")])
    return [BODY]


async def echo(port: int) -> None:
    from websockets.asyncio.server import serve

    async def handler(ws):
        async for message in ws:
            await ws.send(message)

    async with serve(handler, "127.0.0.1", port, ping_interval=None, max_queue=None) as server:
        await server.serve_forever()


if __name__ == "__main__" and sys.argv[1:2] == ["echo"]:
    asyncio.run(echo(int(sys.argv[2])))
