"""The web layer: create_app(settings), JSON API routes, HTML pages and templates."""

from coach.web.app import create_app

__all__ = ["create_app"]
