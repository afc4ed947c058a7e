"""A local fake of a Call Center Studio / Alotech tenant."""
from mock_server.app import create_app
from mock_server.settings import Settings

__all__ = ["create_app", "Settings"]
