"""A small OpenID Connect provider for tests: a separate Django project on django-oauth-toolkit.

Tests start it in a subprocess with :func:`cartable.testing.oidc_provider.server.running_provider`
and sign in to Cartable through it over real HTTP, on 127.0.0.1 only.
"""
