"""Reference servers for the benchmarks (never the service itself).

- `app`: a bare WSGI app that answers every request with a fixed small JSON body, run under the
  same gunicorn config as the service (`gunicorn -c backend/gunicorn.conf.py bench.refapp:app`):
  the floor of the server stack without Flask, the database or the service's code.
- `python -m bench.refapp echo PORT`: a plain `websockets` (asyncio) echo server, the reference for
  the message round trip.
- `python -m bench.refapp stored-echo PORT DATABASE_URL`: the same echo server, but each message is
  first stored in PostgreSQL the way the service stores one (a transaction that takes the next
  sequence number from a counter row with UPDATE ... RETURNING, then INSERTs the message, then
  commits), and only then echoed: the floor of "stored before it is acknowledged" on this machine.
"""

import asyncio
import sys

BODY = b'{"site":{"slug":"bench","name":"Bench","hide_when_closed":false},"open":true}' * 12


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(BODY))),
                              ("Cache-Control", "public, max-age=60")])
    return [BODY]


async def echo(port: int, database_url: str | None = None) -> None:
    from websockets.asyncio.server import serve

    store = await _message_store(database_url) if database_url else None

    async def handler(ws):
        async for message in ws:
            if store is not None:
                await store(message)
            await ws.send(message)

    async with serve(handler, "127.0.0.1", port, ping_interval=None, max_queue=None) as server:
        await server.serve_forever()


async def _message_store(database_url: str):
    import psycopg

    conn = await psycopg.AsyncConnection.connect(database_url)
    async with conn.transaction():
        await conn.execute("CREATE TABLE IF NOT EXISTS echo_counter (id int PRIMARY KEY, last_seq int NOT NULL)")
        await conn.execute("CREATE TABLE IF NOT EXISTS echo_message (seq int PRIMARY KEY, body text NOT NULL)")
        await conn.execute("INSERT INTO echo_counter VALUES (1, 0) ON CONFLICT DO NOTHING")
    lock = asyncio.Lock()

    async def store(body: str) -> None:
        async with lock, conn.transaction():
            cursor = await conn.execute("UPDATE echo_counter SET last_seq = last_seq + 1 WHERE id = 1 "
                                        "RETURNING last_seq")
            (seq,) = await cursor.fetchone()
            await conn.execute("INSERT INTO echo_message (seq, body) VALUES (%s, %s)", (seq, body))

    return store


if __name__ == "__main__" and sys.argv[1:2] == ["echo"]:
    asyncio.run(echo(int(sys.argv[2])))
elif __name__ == "__main__" and sys.argv[1:2] == ["stored-echo"]:
    asyncio.run(echo(int(sys.argv[2]), sys.argv[3]))
