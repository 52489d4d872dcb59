"""Drive in the browser: thin views over ``cartable.drive.actions``.

Folders and files are addressed by their public id (``/drive/f/<id>``, ``/drive/file/<id>``),
not by path: an address stays valid when something above is renamed or moved, and the same
page serves a class folder, a shared folder and one's own. Breadcrumbs show the path as the
person sees it in their Drive (see ``cartable.drive.mounts``).
"""
