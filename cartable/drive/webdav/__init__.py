"""WebDAV (RFC 4918 classes 1 and 2) and the Nextcloud flavour of it, for Drive.

``app.application`` is an ASGI application of its own, routed before Django for
``/remote.php/`` (see ``cartable/asgi.py`` and docs/decisions/0007-drive-webdav.md):

- ``app``: requests, responses, the thread pool, the registry of DAV trees;
- ``auth``: app passwords over HTTP Basic, or a browser session with its CSRF token;
- ``davxml``, ``headers``, ``ifheader``: the protocol's bodies and headers;
- ``locks``, ``deadprops``, ``props``: locks, client-set properties, PROPFIND answers;
- ``files``, ``transfer``: the files tree (each person's view of Drive), GET and PUT.
"""
