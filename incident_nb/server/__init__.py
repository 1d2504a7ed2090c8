"""The alert receiver behind ``incident-nb serve``: webhooks in, executed investigations out.

``app`` is the HTTP edge, ``queue`` the durable queue on disk, ``worker`` and ``pool`` the
processes that generate and execute notebooks, ``apply`` the pure record updates. Needs the
``serve`` extra (Starlette, uvicorn, prometheus-client).
"""
