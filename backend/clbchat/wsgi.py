"""The WSGI entry point gunicorn serves (`gunicorn -c backend/gunicorn.conf.py clbchat.wsgi:application`):
the app built from the environment.

`application` is the Flask app's `wsgi_app` function rather than the Flask object: the server
calling an object goes through a C slot, and that C stack frame is then kept by every WebSocket
greenlet for the socket's lifetime (about 1 KB per idle visitor, docs/benchmarks.md, benchmark 5).
"""

from . import create_app

app = create_app()
application = app.wsgi_app
