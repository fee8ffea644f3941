"""CSV import of accounts and ideas (commands and admin upload) and the evidence export."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from ideas import importers
from ideas.choices import DealStage, Importance, Lifecycle, Status, Visibility
from ideas.models import Account, Idea, StatusChange, Subscription
from tests import factories

pytestmark = pytest.mark.django_db

BROKEN_ACCOUNTS = (
    "CRM id,Name,Domain,Segment,Region,Plan,ARR,Lifecycle\n"
    'A-1,Acme Corp,acme.example,Technology,EMEA,enterprise,"120,000",customer\n'  # row 2: good
    "A-2,Globex,globex.example,financial,na,business,lots,customer\n"  # 3: bad ARR
    "A-3,Initech,initech.example,technology,na,business,-5,customer\n"  # 4: negative ARR
    "A-4,Umbrella,umbrella.example,aerospace,na,business,1000,customer\n"  # 5: unknown segment
    "A-5,,nameless.example,technology,na,business,1000,customer\n"  # 6: no name
    "A-6,Evil\x07Corp,evil.example,technology,na,business,1000,customer\n"  # 7: control char
    'A-1,Acme Corp,acme.example,Technology,EMEA,enterprise,"120,000",customer\n'  # 8: duplicate
    "A-7,Hooli,hooli.example,Media,APAC,starter,5000.50,prospect\n"  # 9: good
)


def import_accounts(data: str | bytes, **options) -> importers.ImportReport:
    return importers.AccountImporter().run(data, **options)


def problems(report: importers.ImportReport) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for error in report.errors:
        found.setdefault(error.row, []).append((error.column, error.message))
    return found


# --- Accounts ---------------------------------------------------------------------------------


def test_broken_account_rows_are_reported_and_the_good_ones_imported():
    report = import_accounts(BROKEN_ACCOUNTS)

    found = problems(report)
    assert sorted(found) == [3, 4, 5, 6, 7, 8]
    assert found[3] == [("ARR", "ARR must be an amount, like 120000 or 120000.50.")]
    assert found[4] == [("ARR", "ARR cannot be negative.")]
    [(column, message)] = found[5]
    assert column == "Segment" and "Unknown segment “aerospace”" in message
    assert found[6] == [("Name", "Give the account a name: it is new to Lode.")]
    assert found[7][0][0] == "Name" and "control characters" in found[7][0][1]
    assert found[8] == [("CRM id", "Same CRM id as row 2: skipped.")]

    assert (report.rows, report.created, report.updated, report.unchanged) == (8, 2, 0, 0)
    assert not report.ok
    assert set(Account.objects.values_list("external_id", flat=True)) == {"A-1", "A-7"}
    acme = Account.objects.get(external_id="A-1")
    assert (acme.name, acme.domain, acme.segment, acme.region, acme.plan) == (
        "Acme Corp",
        "acme.example",
        "technology",
        "emea",
        "enterprise",
    )
    assert acme.arr == Decimal("120000") and acme.lifecycle == Lifecycle.CUSTOMER
    hooli = Account.objects.get(external_id="A-7")
    assert (hooli.segment, hooli.region, hooli.arr) == ("media", "apac", Decimal("5000.50"))


def test_importing_the_same_accounts_twice_creates_nothing_new():
    import_accounts(BROKEN_ACCOUNTS)
    before = list(Account.objects.order_by("pk").values())
    again = import_accounts(BROKEN_ACCOUNTS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert list(Account.objects.order_by("pk").values()) == before


def test_a_dry_run_writes_nothing_but_reports_what_would_happen():
    report = import_accounts(BROKEN_ACCOUNTS, dry_run=True)
    assert (report.created, len(report.failed_rows)) == (2, 6)
    assert report.summary().endswith("Dry run: nothing was saved.")
    assert not Account.objects.exists()


def test_accounts_are_updated_by_crm_id_then_domain_then_name():
    by_id = factories.AccountFactory(external_id="SF-1", name="Old name", arr=Decimal(10))
    by_domain = factories.AccountFactory(external_id="", domain="wayne.example", name="Wayne")
    by_name = factories.AccountFactory(external_id="", domain="", name="Stark Industries")
    report = import_accounts(
        "external_id,name,domain,arr\n"
        "SF-1,New name,,20\n"
        "SF-2,Wayne Enterprises,wayne.example,\n"
        "SF-3,Stark Industries,stark.example,300\n"
        "SF-4,Wayne Enterprises,wayne-games.example,\n"
    )
    # Row 5: the same name as Wayne, another domain: another company.
    assert report.ok and (report.created, report.updated) == (1, 3)
    by_id.refresh_from_db()
    by_domain.refresh_from_db()
    by_name.refresh_from_db()
    assert (by_id.name, by_id.arr) == ("New name", Decimal(20))
    # A blank cell leaves what Lode has; the CRM id links the account from now on.
    assert (by_domain.name, by_domain.external_id, by_domain.arr) == (
        "Wayne Enterprises",
        "SF-2",
        Decimal("120000.00"),
    )
    assert (by_name.external_id, by_name.domain, by_name.arr) == (
        "SF-3",
        "stark.example",
        Decimal(300),
    )
    assert [outcome.detail for outcome in report.outcomes] == [
        "name, arr",
        "external_id, name",
        "external_id, domain, arr",
        "",
    ]
    assert Account.objects.filter(name="Wayne Enterprises").count() == 2


def test_a_domain_or_crm_id_held_by_another_account_is_refused():
    factories.AccountFactory(external_id="SF-9", domain="taken.example", name="Holder")
    factories.AccountFactory(external_id="SF-8", domain="busy.example", name="Busy")
    report = import_accounts(
        "external_id,name,domain\nSF-10,Newcomer,taken.example\nSF-9,Holder,busy.example\n"
    )
    found = problems(report)
    assert found[2] == [("domain", "“Holder” has this domain but CRM id SF-9, not SF-10.")]
    assert found[3] == [("domain", "“Busy” already has the domain busy.example.")]
    assert Account.objects.get(external_id="SF-9").domain == "taken.example"


def test_owner_is_a_company_person_found_by_email(sales, customer):
    report = import_accounts(
        "name,owner\nOwned Ltd,SAM@lode.example\nWrong Ltd,carol@acme.example\n"
        "Ghost Ltd,ghost@nowhere.example\n"
    )
    assert Account.objects.get(name="Owned Ltd").owner == sales
    found = problems(report)
    assert found[3] == [("owner", "carol@acme.example is not one of the company's people.")]
    assert found[4] == [("owner", "No Lode user has the email ghost@nowhere.example.")]


def test_map_reads_a_crm_export_with_its_own_column_names():
    data = (
        "Account Name;ARR (USD);Website Domain;Industry\n"
        "Umbrella Corp;1.5;umbrella.example;Retail\n"
    )
    report = import_accounts(
        data,
        mapping=importers.parse_mapping("Account Name=name,ARR (USD)=arr,Website Domain=domain"),
    )
    assert report.ok, report.errors
    account = Account.objects.get()
    assert (account.name, account.arr, account.domain, account.segment) == (
        "Umbrella Corp",
        Decimal("1.5"),
        "umbrella.example",
        "retail",
    )


def test_utf8_with_bom_and_semicolons_is_read():
    data = "\ufeffname;domain\nZürich Versicherung;zurich.example\n".encode()
    report = import_accounts(data)
    assert report.ok and Account.objects.get().name == "Zürich Versicherung"


@pytest.mark.parametrize(
    "data, message",
    [
        ("domain,arr\nx.example,1\n", "The file needs a name column"),
        ("name\nAcme\n".encode("utf-16"), "not UTF-8"),
        ("", "The file is empty."),
        ("name,Name\nA,B\n", "Two columns hold name"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(data, message):
    with pytest.raises(importers.ImportFileError, match=message):
        import_accounts(data)
    assert not Account.objects.exists()


def test_a_mapping_to_an_unknown_field_or_column_is_refused():
    with pytest.raises(importers.ImportFileError, match="Cannot map a column to “revenue”"):
        import_accounts("name\nA\n", mapping={"name": "revenue"})
    with pytest.raises(importers.ImportFileError, match="no column “Company”"):
        import_accounts("name\nA\n", mapping={"Company": "name"})


# --- Ideas -----------------------------------------------------------------------------------


@pytest.fixture
def ideas_file(customer, pm):
    factories.CategoryFactory(name="Reporting", slug="reporting")
    return (
        "title,body,author,category,status,response\n"
        "Export dashboards to PDF,For the board pack,carol@acme.example,Reporting,,\n"  # 2
        "Short,,carol@acme.example,,,\n"  # 3: title under 8 characters
        "Bell\x07 in the title here,,carol@acme.example,,,\n"  # 4: control character
        "Single sign-on with Okta,,nobody@nowhere.example,,,\n"  # 5: unknown author
        "A category nobody made,,carol@acme.example,Astrology,,\n"  # 6: unknown category
        "Declined without a reason,,carol@acme.example,,declined,\n"  # 7: service refuses
        "Export dashboards to PDF,Again,carol@acme.example,,,\n"  # 8: duplicate of row 2
        "Audit log for admins,Who did what,priya@lode.example,,planned,On the roadmap.\n"  # 9
    )


def test_broken_idea_rows_are_reported_and_nothing_is_half_written(ideas_file, pm):
    report = importers.IdeaImporter(user=pm).run(ideas_file)

    found = problems(report)
    assert sorted(found) == [3, 4, 5, 6, 7, 8]
    assert "at least 8 characters" in found[3][0][1] and found[3][0][0] == "title"
    assert "control characters" in found[4][0][1]
    assert found[5] == [("author", "No Lode user has the email nobody@nowhere.example.")]
    assert found[6] == [("category", "There is no category “Astrology” in Lode.")]
    assert found[7] == [
        ("", "Explain why the idea is declined: the people who asked will read it.")
    ]
    assert found[8] == [("title", "Same title as row 2: skipped.")]
    # Row 7's idea was posted, then its status refused: the row's savepoint took both back.
    assert not Idea.objects.filter(title="Declined without a reason").exists()
    assert sorted(Idea.objects.values_list("title", flat=True)) == [
        "Audit log for admins",
        "Export dashboards to PDF",
    ]
    pdf = Idea.objects.get(title="Export dashboards to PDF")
    assert (pdf.author.email, pdf.category.name, pdf.status) == (
        "carol@acme.example",
        "Reporting",
        Status.NEW,
    )
    # Posted through the service: the author follows, the account is the author's.
    assert Subscription.objects.filter(idea=pdf, user=pdf.author).exists()
    assert pdf.account == pdf.author.account
    audit = Idea.objects.get(title="Audit log for admins")
    assert audit.status == Status.PLANNED and audit.public_response == "On the roadmap."
    assert StatusChange.objects.get(idea=audit).actor == pm


def test_importing_the_same_ideas_twice_creates_nothing_new(ideas_file, pm):
    importers.IdeaImporter(user=pm).run(ideas_file)
    count = Idea.objects.count()
    again = importers.IdeaImporter(user=pm).run(ideas_file)
    assert (again.created, again.unchanged) == (0, 2)
    assert Idea.objects.count() == count
    assert "already in Lode" in again.outcomes[0].detail


def test_an_idea_without_an_author_needs_a_default_author(pm):
    data = "title,visibility\nKeyboard shortcuts everywhere,internal\n"
    report = importers.IdeaImporter().run(data)
    assert problems(report)[2][0][0] == "author"
    report = importers.IdeaImporter(user=pm).run(data)
    assert report.ok
    idea = Idea.objects.get()
    assert (idea.author, idea.visibility) == (pm, Visibility.INTERNAL)


# --- The commands ----------------------------------------------------------------------------


def write(tmp_path, text: str, name: str = "in.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_accounts_command_reports_rows_and_exits_non_zero(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_accounts", write(tmp_path, BROKEN_ACCOUNTS), stdout=out, stderr=err)
    assert failure.value.returncode == 1
    assert "row 4, ARR: ARR cannot be negative." in out.getvalue()
    assert "row 8, CRM id: Same CRM id as row 2: skipped." in out.getvalue()
    assert "8 rows: 2 created, 0 updated, 0 unchanged, 6 with errors." in out.getvalue()
    assert "100% 8/8" in err.getvalue() and "[##############################]" in err.getvalue()
    assert Account.objects.count() == 2


def test_import_accounts_command_succeeds_quietly_and_idempotently(tmp_path):
    path = write(tmp_path, "name,domain,arr\nAcme,acme.example,10\nGlobex,globex.example,20\n")
    call_command("import_accounts", path, stdout=io.StringIO(), stderr=io.StringIO())
    out = io.StringIO()
    call_command("import_accounts", path, stdout=out, stderr=io.StringIO())
    assert "2 rows: 0 created, 0 updated, 2 unchanged, 0 with errors." in out.getvalue()
    assert Account.objects.count() == 2


def test_import_command_dry_run_and_map(tmp_path):
    path = write(tmp_path, "Company\tARR (USD)\nAcme\t10\n")
    out = io.StringIO()
    call_command(
        "import_accounts",
        path,
        "--dry-run",
        "--map",
        "Company=name,ARR (USD)=arr",
        "--delimiter",
        "\\t",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "1 created" in out.getvalue() and "Dry run" in out.getvalue()
    assert not Account.objects.exists()


def test_import_command_refuses_an_unreadable_file_with_exit_code_2(tmp_path):
    with pytest.raises(CommandError) as failure:
        call_command("import_accounts", write(tmp_path, "arr\n1\n"), stderr=io.StringIO())
    assert failure.value.returncode == 2
    with pytest.raises(CommandError) as failure:
        call_command("import_accounts", str(tmp_path / "missing.csv"), stderr=io.StringIO())
    assert failure.value.returncode == 2


def test_import_ideas_command_uses_the_default_author(tmp_path, pm):
    path = write(tmp_path, "title\nKeyboard shortcuts everywhere\n")
    with pytest.raises(CommandError) as failure:
        call_command("import_ideas", path, "--user", "nobody@x.example", stderr=io.StringIO())
    assert failure.value.returncode == 2
    call_command(
        "import_ideas", path, "--user", pm.email, stdout=io.StringIO(), stderr=io.StringIO()
    )
    assert Idea.objects.get().author == pm


# --- The admin upload ------------------------------------------------------------------------


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("accounts.csv", text.encode(), content_type="text/csv")


def test_admin_account_changelist_links_to_the_import_page(admin_client):
    page = admin_client.get(reverse("admin:ideas_account_changelist"))
    assert reverse("admin:ideas_account_import").encode() in page.content
    assert admin_client.get(reverse("admin:ideas_account_import")).status_code == 200
    assert admin_client.get(reverse("admin:ideas_idea_import")).status_code == 200


def test_admin_upload_imports_and_reports_each_bad_row(admin_client):
    response = admin_client.post(
        reverse("admin:ideas_account_import"), {"file": upload(BROKEN_ACCOUNTS)}
    )
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.created, report.failed_rows) == (2, [3, 4, 5, 6, 7, 8])
    assert b"ARR cannot be negative." in response.content
    assert b"8 rows: 2 created, 0 updated, 0 unchanged, 6 with errors." in response.content
    assert Account.objects.count() == 2


def test_admin_upload_dry_run_saves_nothing(admin_client):
    response = admin_client.post(
        reverse("admin:ideas_account_import"),
        {"file": upload("name\nAcme\n"), "dry_run": "on"},
    )
    assert b"Dry run: what would happen" in response.content
    assert response.context["report"].created == 1
    assert not Account.objects.exists()


def test_admin_upload_with_mapping_and_a_refused_file(admin_client):
    url = reverse("admin:ideas_account_import")
    response = admin_client.post(url, {"file": upload("Firm\nAcme\n"), "mapping": "Firm=name"})
    assert response.context["report"].created == 1
    response = admin_client.post(url, {"file": upload("Firm\nAcme\n")})
    assert b"The file was not imported: The file needs a name column" in response.content


def test_admin_idea_upload_posts_as_the_admin(admin_client, admin_user):
    response = admin_client.post(
        reverse("admin:ideas_idea_import"),
        {"file": upload("title\nKeyboard shortcuts everywhere\n")},
    )
    assert response.context["report"].created == 1
    assert Idea.objects.get().author == admin_user


def test_admin_import_needs_staff_with_permission(client, staff):
    url = reverse("admin:ideas_account_import")
    assert client.get(url).status_code == 302  # to the admin log-in
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client.force_login(staff)
    assert client.get(url).status_code == 403


# --- Export ----------------------------------------------------------------------------------


def export(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("export_ideas", *args, stdout=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_export_has_the_evidence_and_guards_formulas(settings):
    settings.LODE_BASE_URL = "https://ideas.example.com"
    idea = factories.IdeaFactory(title='=HYPERLINK("https://evil.example","Click me")')
    account = factories.AccountFactory(arr=Decimal("80000"))
    factories.VoteFactory(idea=idea)
    factories.SignalFactory(
        idea=idea,
        account=account,
        importance=Importance.DEAL_BREAKER,
        deal_stage=DealStage.RENEWAL_AT_RISK,
    )
    factories.IdeaFactory(title="Already shipped it", status=Status.SHIPPED)

    rows = export("--status", "new")
    [row] = rows
    for column in (
        "voters",
        "accounts",
        "arr",
        "pipeline",
        "revenue_at_risk",
        "deal_breakers",
        "momentum",
        "score",
        "visibility",
        "signals",
    ):
        assert column in row
    assert row["title"] == '\'=HYPERLINK("https://evil.example","Click me")'
    assert row["url"].startswith(f"https://ideas.example.com/ideas/{idea.pk}-")
    assert (row["voters"], row["deal_breakers"], row["signals"]) == ("1", "1", "1")
    assert Decimal(row["revenue_at_risk"]) == Decimal("80000")
    assert {r["title"] for r in export()} == {row["title"], "Already shipped it"}


def test_export_to_a_file_and_unknown_status(tmp_path):
    factories.IdeaFactory(title="Dark mode for the dashboard")
    path = tmp_path / "ideas.csv"
    call_command("export_ideas", "--output", str(path), stderr=io.StringIO())
    assert "Dark mode for the dashboard" in path.read_text(encoding="utf-8")
    with pytest.raises(CommandError, match="Unknown status nope"):
        call_command("export_ideas", "--status", "nope")
