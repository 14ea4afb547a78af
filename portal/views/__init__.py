"""Route modules of the core blueprint; importing this package registers them all on `bp`."""

from portal import bp
from portal.views import accounts, admin, passkeys, public, second_step, sessions, settings

__all__ = ["accounts", "admin", "bp", "passkeys", "public", "second_step", "sessions", "settings"]
