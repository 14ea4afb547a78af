"""Application factory: create_app(config=None) wires extensions, blueprints, commands and error pages."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import access, assets, cli, errors, i18n, navigation, pending, routing, security, sessions, storage
from portal.config import INSTANCE, ROOT, from_environment
from portal.extensions import babel, bootstrap, csrf, db, init_limiter, login_manager, mail


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(INSTANCE), template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"))
    app.config.update(from_environment())
    app.config.update(config or {})
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    register_errorhandlers(app)
    return app


def register_extensions(app: Flask) -> None:
    if app.config["PROXY_HOPS"]:
        # Flask-Login and the rate limiter read the client address: trust exactly the configured proxies.
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    routing.init_app(app)
    assets.init_app(app)
    db.init_app(app)
    storage.init_app(app)
    csrf.init_app(app)
    mail.init_app(app)
    bootstrap.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    init_limiter(app)
    login_manager.init_app(app)
    login_manager.login_view = "portal.login"
    login_manager.user_loader(sessions.load_user_for_session)
    app.after_request(sessions.finish_response)
    access.init_app(app)
    navigation.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    pending.init_app(app)


def register_blueprints(app: Flask) -> None:
    from licensing.views import bp as licensing_bp
    from portal.appointments.views import bp as appointments_bp
    from portal.children.views import bp as children_bp
    from portal.court_reports.views import bp as court_reports_bp
    from portal.messaging.views import bp as messaging_bp
    from portal.mileage.views import bp as mileage_bp
    from portal.views import bp as portal_bp
    from training.views import bp as training_bp

    app.register_blueprint(portal_bp)
    app.register_blueprint(children_bp)
    app.register_blueprint(appointments_bp)
    app.register_blueprint(court_reports_bp)
    app.register_blueprint(mileage_bp)
    app.register_blueprint(messaging_bp)
    app.register_blueprint(licensing_bp)
    app.register_blueprint(training_bp)


def register_cli(app: Flask) -> None:
    cli.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    errors.init_app(app)
