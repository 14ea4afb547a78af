"""The extension objects, created once and bound to the app in app.register_extensions."""

from flask import current_app, request
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_wtf.csrf import CSRFProtect

from portal.database import Database


class PortalCSRFProtect(CSRFProtect):
    """Flask-WTF's protection, tolerant of a malformed multipart body: a part whose name Werkzeug can't read comes
    back with the name None, and the library's search for a prefixed token field then crashed (a 500)."""

    def _get_csrf_token(self):
        field_name = current_app.config["WTF_CSRF_FIELD_NAME"]
        token = request.form.get(field_name)
        if token:
            return token
        for key in request.form:  # a form with a prefix names it {prefix}-csrf_token
            if isinstance(key, str) and key.endswith(field_name) and request.form[key]:
                return request.form[key]
        for header_name in current_app.config["WTF_CSRF_HEADERS"]:
            if request.headers.get(header_name):
                return request.headers.get(header_name)
        return None


db = Database()
login_manager = LoginManager()
csrf = PortalCSRFProtect()
mail = Mail()
babel = Babel()
bootstrap = Bootstrap5()
# Storage comes from RATELIMIT_STORAGE_URI (memory:// by default, redis://... in production).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
