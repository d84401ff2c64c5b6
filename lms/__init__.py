"""The application factory: reads like a table of contents."""

from flask import Flask

from lms.config import ROOT, load_config
from lms.ids import IdConverter


def create_app(config=None):
    """Create the application; ``config`` is a mapping that overrides everything."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.url_map.converters["int"] = IdConverter  # before any route is added
    load_config(app, config)
    register_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    register_hooks(app)
    register_commands(app)
    return app


def register_proxies(app):
    """Believe X-Forwarded-* from exactly the configured number of proxies."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    hops = int(app.config["LMS_PROXY_HOPS"])
    if hops:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=0
        )


def register_extensions(app):
    from lms import database, i18n, jobs, sessions
    from lms.extensions import (
        babel,
        compress,
        csrf,
        db,
        limiter,
        login_manager,
        migrate,
    )
    from lms.services import passwords

    db.init_app(app)
    with app.app_context():
        database.configure_engine(db.engine, app.config["LMS_SQLITE_BUSY_MS"])
    migrate.init_app(
        app, db, directory=str(ROOT / "lms" / "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    sessions.init_login(app, login_manager)  # before the limiter reads the session
    babel.init_app(
        app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone
    )
    i18n.install_template_gettext(app)
    limiter.init_app(app)
    compress.init_app(app)
    jobs.init_app(app)
    passwords.configure(cheapest=app.config.get("LMS_CHEAP_PASSWORD_HASHING", False))


def register_blueprints(app):
    from lms.views import (
        admin,
        api,
        auth,
        badges,
        certificates,
        classes,
        core,
        jobs,
        learn,
        people,
        practical,
        pwa,
        renewal,
        reports,
        reports_api,
        teach,
        tools,
    )

    app.register_blueprint(core.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(learn.bp)
    app.register_blueprint(classes.bp)
    app.register_blueprint(practical.bp)
    app.register_blueprint(teach.bp)
    app.register_blueprint(certificates.bp)
    app.register_blueprint(renewal.bp)
    app.register_blueprint(badges.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(people.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(reports_api.bp)
    app.register_blueprint(jobs.bp)
    app.register_blueprint(pwa.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(tools.bp)


def register_hooks(app):
    from lms import assets, logs
    from lms.formats import number_filter, phone_text
    from lms.ratelimits import RetryAfterOnlyWhenRefused
    from lms.views import availability, core, transactions

    logs.init_app(app)
    availability.init_app(app)
    app.wsgi_app = RetryAfterOnlyWhenRefused(app.wsgi_app)
    app.url_defaults(assets.add_fingerprint)
    app.after_request(assets.cache_fingerprinted)
    app.after_request(assets.buffer_compressible_files)
    app.after_request(core.security_headers)
    app.context_processor(core.template_globals)
    app.add_template_filter(number_filter, "format_number")
    app.add_template_filter(phone_text, "phone")
    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, core.error_page)
    transactions.init_app(app)  # the last after_request hook runs first


def register_commands(app):
    from lms.cli import lms

    app.cli.add_command(lms)
