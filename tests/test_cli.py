"""`flask --app app lms ...`: setup, areas and the first admin."""

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Area, Course, User
from tests.conftest import PASSWORD, count, sign_in
from tests.helpers import run, setup_on_empty_database


def test_first_admin_only_from_the_cli(app, client):
    result = run(
        app,
        "create-user",
        "--role",
        "admin",
        "--phone",
        "0912 345 678",
        "--name",
        "Quản trị",
        "--password",
        PASSWORD,
    )
    assert result.exit_code == 0, result.output
    assert "+84912345678" in result.output
    assert db.session.scalar(sa.select(User.role)) == "admin"
    assert sign_in(client).status_code == 302


def test_create_user_asks_for_the_password_twice(app):
    result = run(
        app,
        "create-user",
        "--role",
        "trainer",
        "--phone",
        "0912345678",
        "--name",
        "Giảng viên",
        "--area",
        "P-A",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User))
    assert (user.role, user.area.code) == ("trainer", "P-A")


def test_create_user_refuses_bad_input_and_creates_nothing(app):
    cases = [
        ["--role", "admin", "--phone", "12345", "--name", "A", "--password", PASSWORD],
        [
            "--role",
            "admin",
            "--phone",
            "0912345678",
            "--name",
            "A",
            "--password",
            "123",
        ],
        [
            "--role",
            "king",
            "--phone",
            "0912345678",
            "--name",
            "A",
            "--password",
            PASSWORD,
        ],
        [
            "--role",
            "admin",
            "--phone",
            "0912345678",
            "--name",
            "A",
            "--area",
            "NOPE",
            "--password",
            PASSWORD,
        ],
    ]
    for args in cases:
        result = run(app, "create-user", *args)
        assert result.exit_code != 0, args
        assert "Traceback" not in result.output
    assert count(User) == 0


def test_no_admin_exists_by_default(app, course_dir):
    assert setup_on_empty_database(app, course_dir).exit_code == 0
    assert count(User) == 0


def test_import_areas_builds_the_tree(app, tmp_path):
    csv = tmp_path / "areas.csv"
    csv.write_text(
        "code,name,kind,parent_code\nP,Tỉnh Mẫu,province,\n"
        "P-G,Cụm cũ,grouping,P\nP-G-C,Xã Cũ,commune,P-G\n",
        encoding="utf-8",
    )
    result = run(app, "import-areas", str(csv))
    assert result.exit_code == 0, result.output
    commune = db.session.scalar(sa.select(Area).where(Area.code == "P-G-C"))
    province = db.session.scalar(sa.select(Area).where(Area.code == "P"))
    assert commune.parent.parent is province
    assert commune.path.startswith(province.path)
    assert count(Area) == 5  # P-A and P-B from before are kept


def test_bad_area_file_reports_lines_and_changes_nothing(app, tmp_path):
    csv = tmp_path / "areas.csv"
    csv.write_text(
        "code,name,kind,parent_code\nX,Tỉnh X,province,\nX-1,,commune,X\n"
        "X-2,Xã Hai,commune,NOWHERE\nX,Lặp,province,\n",
        encoding="utf-8",
    )
    result = run(app, "import-areas", str(csv))
    assert result.exit_code == 1
    assert f"{csv}:3:" in result.output and f"{csv}:4:" in result.output
    assert f"{csv}:5:" in result.output
    assert count(Area) == 3


def test_area_file_with_wrong_columns_or_encoding(app, tmp_path):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("ma,ten\nX,Y\n", encoding="utf-8")
    assert run(app, "import-areas", str(wrong)).exit_code == 1
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes(
        "code,name,kind,parent_code\nX,Tỉnh,province,\n".encode("utf-16")
    )
    result = run(app, "import-areas", str(legacy))
    assert result.exit_code == 1 and "UTF-8" in result.output
    assert count(Area) == 3


def test_setup_is_idempotent_and_loads_everything(app, course_dir):
    first = setup_on_empty_database(app, course_dir)
    assert first.exit_code == 0, first.output
    areas, courses = count(Area), count(Course)
    assert areas > 10 and courses == 1  # the bundled sample province
    db.session.commit()  # end this session's transaction, as a separate process would
    second = run(app, "setup")
    assert second.exit_code == 0 and "1 unchanged" in second.output
    assert (count(Area), count(Course)) == (areas, courses)


def test_every_command_has_help(app):
    for command in [
        "setup",
        "import-courses",
        "import-areas",
        "create-user",
        "demo-data",
    ]:
        result = run(app, command, "--help")
        assert result.exit_code == 0 and "Usage" in result.output
