"""What the official Nextcloud clients (desktop, Android, iOS) and rclone need besides WebDAV.

``status.php``, the OCS API (capabilities, the signed-in user, shares), the login flows
that issue app passwords, and Nextcloud's DAV extensions (chunked uploads, trash bin,
versions). The WebDAV server itself lives in :mod:`cartable.drive.webdav`.
"""
