"""``python -m cartable.testing.oidc_provider DATA_DIR CONFIG_JSON``: run the test provider.

Binds a free port on 127.0.0.1 and writes it as the only line on stdout (anything printed
later goes to stderr), creates the database, users and clients, then serves until SIGTERM.

Django and what needs it are imported inside the functions: the settings module is chosen
at run time, from the command line's arguments.
"""

from __future__ import annotations

import os
import socket
import sys


def _seed() -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from oauth2_provider.models import Application

    user_model = get_user_model()
    for user in settings.CONFIG.get("users", []):
        user_model.objects.create_user(user["username"], password=user["password"])
    for client in settings.CONFIG.get("clients", []):
        Application.objects.create(
            name=client.get("name", client["client_id"]),
            client_id=client["client_id"],
            client_secret=client["client_secret"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(client["redirect_uris"]),
            skip_authorization=True,
            algorithm=Application.RS256_ALGORITHM,
        )


def main(argv: list[str]) -> None:
    data_dir, config_path = argv
    # Bound here, listened on by uvicorn: the port is known before anything can fail, and a
    # caller polling it is refused (not left hanging) until the server is ready.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sys.stdout.write(f"{sock.getsockname()[1]}\n")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    os.environ["OIDC_PROVIDER_DATA_DIR"] = data_dir
    os.environ["OIDC_PROVIDER_CONFIG"] = config_path
    os.environ["DJANGO_SETTINGS_MODULE"] = "cartable.testing.oidc_provider.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    _seed()

    import uvicorn
    from django.core.asgi import get_asgi_application

    config = uvicorn.Config(
        get_asgi_application(),
        lifespan="off",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=2,
    )
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main(sys.argv[1:])
