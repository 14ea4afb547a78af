"""The training blueprint put together: importing this module registers the routes, commands, email subjects and
template words of the catalog, hours, support groups and payments on `bp` (app.py imports it)."""

from training import bp
from training import scale_demo as _scale_demo  # noqa: F401  (trainings of `flask seed-demo --households N`)
from training.catalog import views as _catalog_views  # noqa: F401
from training.groups import views as _groups_views  # noqa: F401
from training.hours import views as _hours_views  # noqa: F401
from training.payments import views as _payments_views  # noqa: F401

__all__ = ["bp"]
