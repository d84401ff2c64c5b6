"""`flask --app app lms <command>`: thin commands over the services."""

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import func, select

from lms import demo
from lms.backup import BackupError, backup_database, check_backup, restore_database
from lms.clock import utcnow
from lms.content.export import export_course
from lms.content.importer import import_courses
from lms.content.parse import ContentError
from lms.extensions import db
from lms.jobs.worker import worker_command
from lms.models import ROLES, Area, Lesson, ReportMonth, ReportTotal
from lms.models.activity import local_day
from lms.models.totals import rebuild as rebuild_totals
from lms.services import DomainError, official_map
from lms.services.accounts import (
    create_user,
    find_by_phone,
    set_active,
    set_area,
    set_role,
)
from lms.services.areas import AreaFileError, import_areas
from lms.services.catalogue import find_course
from lms.services.certificates import ensure_default_clubs
from lms.services.content_review import lessons_due
from lms.services.official_map import load_official_map, official_provinces
from lms.services.practical import unclaimed_photos


@click.group()
def lms():
    """Run the learning system's administrative tasks."""


lms.add_command(worker_command)


@lms.command("setup")
@with_appcontext
def setup_command():
    """Create or upgrade the database, then load the official map of the provinces
    the site serves (LMS_PROVINCES), the courses and the clubs.

    Safe to run on every start: each step changes only what is missing or stale.
    """
    setup()


def setup():
    """Bring the database up to date and load what a fresh install needs."""
    upgrade(directory=current_app.extensions["migrate"].directory)
    _load_official_map(current_app.config["LMS_PROVINCES"])
    _import_courses(Path(current_app.config["LMS_COURSES_DIR"]))
    ensure_default_clubs()
    db.session.commit()
    click.echo(
        f"Certificates name {current_app.config['LMS_ISSUER_EMAIL']} as the issuer's "
        "contact (set LMS_ISSUER_EMAIL to change it)."
    )


@lms.command("import-courses")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@with_appcontext
def import_courses_command(directory):
    """Import course files from DIRECTORY (default: the bundled courses/).

    Running it twice changes nothing. If any file is wrong, nothing changes and
    every problem is listed with its file and line.
    """
    _import_courses(Path(directory or current_app.config["LMS_COURSES_DIR"]))


@lms.command("import-areas")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@with_appcontext
def import_areas_command(file):
    """Create or update the area tree from a CSV FILE.

    Columns: code,name,kind,parent_code and, optionally, merged_into. Use it for
    groupings a province adds (former districts as training clusters) and for
    updates: a new name keeps everyone attached; merged_into moves everyone and
    everything of an area into another. Nothing changes if any row is wrong.
    """
    _import_areas(Path(file))


@lms.command("create-user")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--phone", required=True, help="Mobile number, e.g. 0912345678.")
@click.option("--name", required=True)
@click.option("--area", "area_code", help="Area code, e.g. 07525.")
@click.password_option(help="Asked for when not given.")
@with_appcontext
def create_user_command(role, phone, name, area_code, password):
    """Create an account with any role: the only way to create the first admin."""
    area = None
    if area_code:
        area = db.session.scalar(select(Area).where(Area.code == area_code))
        if area is None:
            raise click.ClickException(f"unknown area code: {area_code}")
    try:
        user = create_user(phone, name, role, area, password)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"Created {role} {user.name} ({user.phone}).")


@lms.command("set-role")
@click.option("--phone", required=True, help="Mobile number, e.g. 0912345678.")
@click.option("--role", type=click.Choice(ROLES), required=True)
@with_appcontext
def set_role_command(phone, role):
    """Give an account another role; its sessions end. The last admin stays admin."""
    user = _account(phone)
    _run(set_role, user, role, None)
    click.echo(f"{user.name} ({user.phone}) is now {role}; signed out everywhere.")


@lms.command("set-area")
@click.option("--phone", required=True, help="Mobile number, e.g. 0912345678.")
@click.option("--area", "code", required=True, help="Area code, e.g. 07525.")
@with_appcontext
def set_area_command(phone, code):
    """Place an account in an area: an official then sees that area's reports, a
    trainer reviews the practical work of its learners."""
    user = _account(phone)
    area = db.session.scalar(select(Area).where(Area.code == code))
    if area is None:
        raise click.ClickException(f"no area has the code {code}")
    _run(set_area, user, area, None)
    click.echo(f"{user.name} ({user.phone}) is now in {area.name}.")


@lms.command("disable-user")
@click.option("--phone", required=True, help="Mobile number, e.g. 0912345678.")
@with_appcontext
def disable_user_command(phone):
    """Disable an account: it cannot sign in, and is signed out on every device."""
    user = _account(phone)
    _run(set_active, user, False, None)
    click.echo(f"Disabled {user.name} ({user.phone}); signed out everywhere.")


@lms.command("enable-user")
@click.option("--phone", required=True, help="Mobile number, e.g. 0912345678.")
@with_appcontext
def enable_user_command(phone):
    """Let a disabled account sign in again."""
    user = _account(phone)
    _run(set_active, user, True, None)
    click.echo(f"Enabled {user.name} ({user.phone}).")


def _account(phone):
    user = find_by_phone(phone)
    if user is None:
        raise click.ClickException(f"no account has the number {phone}")
    return user


def _run(operation, *args):
    """Call a service and commit, or stop with its message and change nothing."""
    try:
        operation(*args)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()


def _import_courses(directory):
    warnings = []
    try:
        counts = import_courses(
            directory, current_app.config["LMS_UPLOAD_DIR"], warnings
        )
    except ContentError as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(
            f"no course was imported: {len(error.problems)} problem(s) above"
        ) from None
    db.session.commit()
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    summary = ", ".join(f"{n} {what}" for what, n in sorted(counts.items()))
    click.echo(f"Courses from {directory}: {summary or 'nothing to import'}.")


def _load_official_map(setting):
    try:
        provinces = official_provinces(setting)
        added, renamed, removed = load_official_map(provinces)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(f"map not loaded: {error.message}") from None
    db.session.commit()
    click.echo(
        f"Official map (vietnam-provinces {official_map.VERSION}): {len(provinces)} "
        f"provinces; {added} areas added, {renamed} renamed, {removed} removed."
    )


def _import_areas(path):
    try:
        count = import_areas(path.read_bytes())
    except AreaFileError as error:
        db.session.rollback()
        for line, reason in error.problems:
            click.echo(f"{path}:{line}: {reason}", err=True)
        raise click.ClickException("no area was imported") from None
    db.session.commit()
    click.echo(f"Areas from {path}: {count} rows.")


@lms.command("demo-data")
@click.option("--learners", default=100_000, show_default=True, type=click.IntRange(1))
@click.option("--seed", default=1, show_default=True, help="Same seed, same province.")
@click.option(
    "--provinces",
    type=click.IntRange(1, 34),
    help="Spread the learners over this many provinces of the official map: "
    "the site's own (LMS_PROVINCES), then the next ones by official code.",
)
@click.option("--yes", is_flag=True, help="Add to a database that has learners.")
@with_appcontext
def demo_data_command(learners, seed, provinces, yes):
    """Fill the database with a made-up province to try the reports on.

    Trainers and officials for every area, training days over the past year,
    LEARNERS farmers with their lessons, quizzes, practical work, certificates and
    club memberships. Refuses a database that already has learners unless --yes:
    never run it on the real one.
    """
    setup()
    if provinces:
        _load_official_map(
            demo.more_provinces(current_app.config["LMS_PROVINCES"], provinces)
        )
    click.echo(f"Making {learners} learners (seed {seed}) ...")
    try:
        with click.progressbar(length=learners, label="Learners") as bar:
            totals, password, staff = demo.generate(learners, seed, yes, bar.update)
    except demo.DemoRefused as error:
        db.session.rollback()
        raise click.ClickException(
            f"this database already has {error.args[0]} learners: demo data would be "
            "mixed into their figures. Add --yes to do it anyway."
            if error.args[0]
            else "there are no communes to put the learners in: import areas first"
        ) from None
    db.session.commit()
    demo.analyze()
    for table, count in sorted(totals.rows.items()):
        click.echo(f"  {table}: {count:,}")
    click.echo(f"Staff accounts, all with the password {password} :")
    shown = staff[:4] + [s for s in staff if s[0] == "trainer"][:1]
    for role, phone, name, area in dict.fromkeys(shown):  # a trainer among the four
        click.echo(f"  {role:<8} {phone.replace('+84', '0')}  {name} ({area})")
    click.echo(f"  ... {len(staff)} in all: see Admin, People.")


@lms.command("rebuild-totals")
@with_appcontext
def rebuild_totals_command():
    """Recount the reports' daily totals from the raw rows, in one transaction.

    The totals are kept up to date with every change; this is for after a bulk
    load or a repair, and it gives the same figures as the raw rows.
    """
    started = time.monotonic()
    rebuild_totals(db.session.connection())
    rows = db.session.scalar(select(func.count()).select_from(ReportTotal))
    months = db.session.scalar(select(func.count()).select_from(ReportMonth))
    db.session.commit()
    demo.analyze()  # so many rows rewritten: fresh planner statistics
    click.echo(
        f"Report totals: {rows:,} daily and {months:,} monthly rows"
        f" in {time.monotonic() - started:.1f} s."
    )


@lms.command("prune-photos")
@click.option("--dry-run", is_flag=True, help="List them; remove nothing.")
@with_appcontext
def prune_photos_command(dry_run):
    """Remove farmers' practical photos that no work names any more.

    Photos of a refused try are kept for the farmer's next try; after three days
    a photo that no handed-in work names (an abandoned try, an answer that
    failed after the upload) can be seen by nobody. Run it daily, e.g. from cron.
    """
    unclaimed = unclaimed_photos(current_app.config["LMS_UPLOAD_DIR"])
    size = sum(size for _, size in unclaimed)
    for path, _ in unclaimed:
        if dry_run:
            click.echo(path.name)
        else:
            path.unlink(missing_ok=True)
    verb = "would be removed" if dry_run else "removed"
    click.echo(f"{len(unclaimed)} unclaimed photos ({size / 1e6:.1f} MB) {verb}.")


@lms.command("export-course")
@click.argument("slug")
@click.argument("directory", type=click.Path(file_okay=False))
@with_appcontext
def export_course_command(slug, directory):
    """Write the course SLUG as course files into DIRECTORY/SLUG/.

    The folder has the layout of courses/, so import-courses reads it back;
    the images its lessons show are copied into its images/ folder. Archived
    lessons are left out. Refuses to write into a folder that is not empty.
    """
    course = find_course(slug)
    if course is None:
        raise click.ClickException(f"no course has the slug {slug}")
    try:
        folder = export_course(
            course, Path(directory), current_app.config["LMS_UPLOAD_DIR"]
        )
    except FileExistsError as error:
        raise click.ClickException(
            f"{error.filename} is not empty: nothing was exported"
        ) from None
    click.echo(f"Course {slug} exported to {folder}.")


@lms.command("content-due")
@with_appcontext
def content_due_command():
    """List lessons due for review: never reviewed, not reviewed for 12 months,
    or resting on a source dated after the review whose date has come.
    """
    today = local_day(utcnow())
    due = lessons_due(today)
    for lesson, reason in due:
        click.echo(f"{lesson.course.slug}/{lesson.slug}: {reason}")
    total = db.session.scalar(
        select(func.count()).select_from(Lesson).where(Lesson.archived_at.is_(None))
    )
    click.echo(f"{len(due)} of {total} lessons due for review on {today}.")


@lms.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path):
    """Write a backup of the database to PATH; safe while the application runs.

    SQLite: a copy made with SQLite's online backup API. PostgreSQL: a pg_dump
    custom-format archive (needs pg_dump). Uploaded pictures are not included:
    copy LMS_UPLOAD_DIR beside it (see the README).
    """
    try:
        kind = backup_database(db.engine.url, path)
    except BackupError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"{kind} database backed up to {path}.")


@lms.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the data without asking.")
@with_appcontext
def restore_command(path, yes):
    """Replace everything in the database with the backup in PATH.

    Refuses, changing nothing, a file that is not a backup of this kind of
    database. Stop the application first; run `flask --app app db upgrade` after
    restoring a backup made by an older release.
    """
    url = db.engine.url
    try:
        kind = check_backup(url, path)
        if not yes:
            where = url.render_as_string(hide_password=True)
            click.confirm(f"Replace all data in {where} with {path}?", abort=True)
        db.session.remove()
        db.engine.dispose()  # no connection of ours may hold a lock on a table
        restore_database(url, path)
    except BackupError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"{kind} database restored from {path}.")
