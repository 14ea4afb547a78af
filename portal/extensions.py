"""The extension objects, created once and bound to the app in app.register_extensions."""

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_wtf.csrf import CSRFProtect

from portal.database import Database

db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
babel = Babel()
bootstrap = Bootstrap5()
# Storage comes from RATELIMIT_STORAGE_URI (memory:// by default, redis://... in production).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
