"""CSV import of accounts and ideas, and CSV export of ideas with their evidence.

One implementation behind `manage.py import_accounts`, `import_ideas`, `export_ideas` and the
admin's "Import CSV" pages. Each row is validated with the app's own rules and written in
its own transaction (a savepoint in a dry run), so a bad row is reported and never
half-written while the good rows go in. Importing the same file twice creates nothing new:
accounts are matched on CRM id, then email domain, then name; ideas on their title (and
author, when the file names authors).
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import QuerySet

from ideas import services
from ideas.choices import Lifecycle, Plan, Region, Segment, Status, Visibility
from ideas.forms import IdeaForm, reject_control_characters
from ideas.models import Account, Category, Idea
from portal.models import INTERNAL_ROLES, User

DELIMITERS = ",;\t|"
# Row 1 is the header, as a spreadsheet numbers it; the first record is row 2.
FIRST_ROW = 2
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


class ImportFileError(Exception):
    """The file as a whole cannot be imported (encoding, columns, mapping)."""


class RowInvalid(Exception):
    """One row cannot be imported; carries every problem found in it."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(message for _, message in errors))
        self.errors = errors  # (field, message)


@dataclass
class RowError:
    row: int
    column: str  # the column as the file names it; "" for the row as a whole
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class RowOutcome:
    row: int
    action: str  # created, updated or unchanged
    label: str
    detail: str = ""


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do), row by row."""

    kind: str
    dry_run: bool = False
    rows: int = 0
    outcomes: list[RowOutcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def _count(self, action: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.action == action)

    @property
    def created(self) -> int:
        return self._count("created")

    @property
    def updated(self) -> int:
        return self._count("updated")

    @property
    def unchanged(self) -> int:
        return self._count("unchanged")

    @property
    def failed_rows(self) -> list[int]:
        return sorted({error.row for error in self.errors})

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        text = (
            f"{self.rows} row{'s' if self.rows != 1 else ''}: {self.created} created, "
            f"{self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.failed_rows)} with errors."
        )
        if self.dry_run:
            text += " Dry run: nothing was saved."
        return text


# --- Reading the file ------------------------------------------------------------------------


def decode(data: bytes | str) -> str:
    """The file's text: UTF-8, with or without the byte-order mark Excel writes."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."
        ) from None


def sniff_delimiter(text: str) -> str:
    """The delimiter the header line uses most (comma, semicolon, tab or pipe)."""
    header = text.split("\n", 1)[0]
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def read_rows(data: bytes | str, *, delimiter: str | None = None) -> tuple[list[str], list]:
    """(header, records) of a CSV file; each record is (row number, cells)."""
    text = decode(data)
    if not text.strip():
        raise ImportFileError("The file is empty.")
    if delimiter is not None and len(delimiter) != 1:
        raise ImportFileError("The delimiter must be a single character.")
    delimiter = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        lines = list(reader)
    except csv.Error as error:
        raise ImportFileError(f"Line {reader.line_num} is not valid CSV: {error}.") from None
    header = [cell.strip() for cell in lines[0]]
    records = [
        (number, cells)
        for number, cells in enumerate(lines[1:], start=FIRST_ROW)
        if any(cell.strip() for cell in cells)
    ]
    return header, records


def parse_mapping(specs: str | Iterable[str] | None) -> dict[str, str]:
    """ "Account Name=name,ARR (USD)=arr" (or several such strings) as {column: field}."""
    if not specs:
        return {}
    if isinstance(specs, str):
        specs = [specs]
    mapping = {}
    for spec in specs:
        for item in spec.split(","):
            if not item.strip():
                continue
            column, sep, target = item.rpartition("=")
            if not sep or not column.strip() or not target.strip():
                raise ImportFileError(
                    f"Cannot read the mapping “{item.strip()}”: write it as Column=field."
                )
            mapping[column.strip()] = target.strip().lower()
    return mapping


def normalise_header(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def normalise_choice(value: str, choices: type) -> str:
    """A choice given by its value or its label, in any case ("EMEA", "Financial services")."""
    folded = value.strip().casefold()
    for choice_value, label in choices.choices:
        if folded in (str(choice_value).casefold(), str(label).casefold()):
            return choice_value
    return value.strip()


def single_line(value: str) -> str:
    """Reject control characters like the app's forms do, and collapse the spaces."""
    return " ".join(reject_control_characters(value, allow_newlines=False).split())


# --- Importers -------------------------------------------------------------------------------


class Importer:
    """Reads rows into fields, validates them, and writes each in its own transaction."""

    kind = ""
    fields: dict[str, str] = {}  # field: what it holds, for the help texts
    aliases: dict[str, str] = {}  # normalised header: field
    required: tuple[str, ...] = ()

    def __init__(self, *, user: User | None = None) -> None:
        self.user = user
        self.seen: dict[tuple, int] = {}  # a key already imported from this file: its row
        self.columns: dict[str, str] = {}  # field: the column that holds it, as named
        self.ignored_columns: list[str] = []

    def resolve_columns(self, header: list[str], mapping: dict[str, str]) -> dict[str, int]:
        """Which column holds which field. Raises ImportFileError for a bad header."""
        for target in mapping.values():
            if target not in self.fields:
                raise ImportFileError(
                    f"Cannot map a column to “{target}”: the fields are {', '.join(self.fields)}."
                )
        by_name = {name.casefold(): index for index, name in enumerate(header)}
        missing = [column for column in mapping if column.casefold() not in by_name]
        if missing:
            raise ImportFileError(
                f"The file has no column {', '.join(f'“{name}”' for name in missing)} "
                f"(its columns: {', '.join(header)})."
            )
        mapped = {column.casefold(): target for column, target in mapping.items()}
        positions: dict[str, int] = {}
        ignored = []
        for index, name in enumerate(header):
            key = normalise_header(name)
            target = mapped.get(name.casefold()) or (
                key if key in self.fields else self.aliases.get(key)
            )
            if target is None:
                if name:
                    ignored.append(name)
                continue
            if target in positions:
                raise ImportFileError(
                    f"Two columns hold {target}: “{header[positions[target]]}” and “{name}”. "
                    "Map one of them to another field, or remove it."
                )
            positions[target] = index
            self.columns[target] = name
        absent = [name for name in self.required if name not in positions]
        if absent:
            raise ImportFileError(
                f"The file needs a {' and a '.join(absent)} column (its columns: "
                f"{', '.join(header)}). Use a mapping such as “Your column={absent[0]}”."
            )
        self.ignored_columns = ignored
        return positions

    def column(self, name: str) -> str:
        """The column holding a field, as the file names it (the field's own name if none)."""
        return self.columns.get(name, name)

    def import_row(self, values: dict[str, str], row: int) -> RowOutcome:
        raise NotImplementedError

    def check_duplicate(self, key: tuple, field: str, what: str) -> None:
        """Refuse a row that repeats an earlier row of the same file."""
        if key in self.seen:
            raise RowInvalid([(field, f"Same {what} as row {self.seen[key]}: skipped.")])

    def run(
        self,
        data: bytes | str,
        *,
        mapping: dict[str, str] | None = None,
        delimiter: str | None = None,
        dry_run: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> ImportReport:
        """Import a whole file; the report lists every row's outcome or problems."""
        header, records = read_rows(data, delimiter=delimiter)
        positions = self.resolve_columns(header, mapping or {})
        report = ImportReport(
            kind=self.kind,
            dry_run=dry_run,
            rows=len(records),
            ignored_columns=self.ignored_columns,
        )
        # A dry run does everything inside one transaction and rolls it back at the end, so
        # it reports exactly what a real run would (duplicates within the file included).
        outer = transaction.atomic() if dry_run else contextlib.nullcontext()
        with outer:
            for done, (row, cells) in enumerate(records, start=1):
                values = {
                    name: cells[index].strip() if index < len(cells) else ""
                    for name, index in positions.items()
                }
                try:
                    with transaction.atomic():
                        report.outcomes.append(self.import_row(values, row))
                except RowInvalid as invalid:
                    report.errors.extend(
                        RowError(row, self.column(name), message)
                        for name, message in invalid.errors
                    )
                except services.ServiceError as error:
                    report.errors.append(RowError(row, "", str(error)))
                except DatabaseError as error:
                    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
                    report.errors.append(RowError(row, "", f"The database refused it: {message}"))
                if progress:
                    progress(done, len(records))
            if dry_run:
                transaction.set_rollback(True)
        return report


def form_errors(form: forms.Form) -> list[tuple[str, str]]:
    return [(name, str(message)) for name, messages in form.errors.items() for message in messages]


def choice_field(choices: type, what: str) -> forms.ChoiceField:
    allowed = ", ".join(str(value) for value in choices.values)
    return forms.ChoiceField(
        choices=[("", ""), *choices.choices],
        required=False,
        error_messages={"invalid_choice": f"Unknown {what} “%(value)s”: use one of {allowed}."},
    )


class AccountRowForm(forms.Form):
    """One account row, checked with the rules the model and the database hold."""

    external_id = forms.CharField(max_length=100, required=False)
    name = forms.CharField(max_length=200, required=False)
    domain = forms.CharField(max_length=253, required=False)
    segment = choice_field(Segment, "segment")
    region = choice_field(Region, "region")
    plan = choice_field(Plan, "plan")
    arr = forms.DecimalField(
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
        required=False,
        error_messages={
            "invalid": "ARR must be an amount, like 120000 or 120000.50.",
            "min_value": "ARR cannot be negative.",
            "max_digits": "ARR is more than Lode can store; check the number.",
            "max_whole_digits": "ARR is more than Lode can store; check the number.",
            "max_decimal_places": "ARR has more than 2 decimal places.",
        },
    )
    lifecycle = choice_field(Lifecycle, "lifecycle")
    owner = forms.CharField(max_length=254, required=False)

    TEXT = ("external_id", "name", "domain", "owner")

    def clean(self) -> dict:
        data = super().clean()
        for name in self.TEXT:
            if data.get(name):
                try:
                    data[name] = single_line(data[name])
                except ValidationError as error:
                    self.add_error(name, error)
        domain = data.get("domain", "").lower().removeprefix("www.").rstrip(".")
        if domain and not DOMAIN.match(domain):
            self.add_error("domain", f"“{domain}” is not an email domain like example.com.")
        data["domain"] = domain
        if data.get("owner") and "owner" not in self.errors:
            owner = User.objects.filter(email__iexact=data["owner"]).first()
            if owner is None:
                self.add_error("owner", f"No Lode user has the email {data['owner']}.")
            elif owner.role not in INTERNAL_ROLES:
                self.add_error("owner", f"{owner.email} is not one of the company's people.")
            data["owner"] = owner
        return data


class AccountImporter(Importer):
    """Accounts from a CRM export: created, or updated where they already exist."""

    kind = "accounts"
    fields = {
        "external_id": "The account's id in your CRM: the surest way to match it again.",
        "name": "Required for a new account.",
        "domain": "Email domain (example.com); customers with addresses there join it.",
        "segment": f"One of {', '.join(Segment.values)} (or their names).",
        "region": f"One of {', '.join(Region.values)} (or their names).",
        "plan": f"One of {', '.join(Plan.values)}.",
        "arr": "Annual recurring revenue, 0 or more (120000, 120,000 or 120000.50).",
        "lifecycle": f"One of {', '.join(Lifecycle.values)}; new accounts default to prospect.",
        "owner": "Email of the sales rep who owns the account.",
    }
    aliases = {
        "crm_id": "external_id",
        "crm_account_id": "external_id",
        "account_id": "external_id",
        "account_name": "name",
        "company": "name",
        "company_name": "name",
        "email_domain": "domain",
        "industry": "segment",
        "annual_recurring_revenue": "arr",
        "owner_email": "owner",
        "account_owner": "owner",
        "stage": "lifecycle",
    }
    required = ("name",)
    choices = {"segment": Segment, "region": Region, "plan": Plan, "lifecycle": Lifecycle}

    def import_row(self, values: dict[str, str], row: int) -> RowOutcome:
        raw = dict(values)
        for name, choices in self.choices.items():
            if raw.get(name):
                raw[name] = normalise_choice(raw[name], choices)
        if raw.get("arr") and THOUSANDS.match(raw["arr"]):
            raw["arr"] = raw["arr"].replace(",", "")
        form = AccountRowForm(raw)
        if not form.is_valid():
            raise RowInvalid(form_errors(form))
        # Blank cells leave what Lode has: a CRM export's empty cell rarely means "erase".
        data = {name: form.cleaned_data[name] for name, value in values.items() if value}
        if not data.get("name") and not data.get("external_id") and not data.get("domain"):
            raise RowInvalid([("name", "Give the account a name.")])
        key = self.key(data)
        self.check_duplicate(key, key[0], key[0].replace("external_id", "CRM id"))
        account = self.find(data)
        if account is None:
            if not data.get("name"):
                raise RowInvalid([("name", "Give the account a name: it is new to Lode.")])
            self.check_unique(data, None)
            account = Account.objects.create(**data)
            outcome = RowOutcome(row, "created", account.name)
        else:
            changed = [name for name, value in data.items() if getattr(account, name) != value]
            if changed:
                self.check_unique(data, account)
                for name in changed:
                    setattr(account, name, data[name])
                account.save(update_fields=[*changed, "updated_at"])
                outcome = RowOutcome(row, "updated", account.name, ", ".join(changed))
            else:
                outcome = RowOutcome(row, "unchanged", account.name)
        self.seen[key] = row
        return outcome

    @staticmethod
    def key(data: dict) -> tuple:
        for name in ("external_id", "domain", "name"):
            if data.get(name):
                return (name, data[name].casefold())
        raise AssertionError("a row always has one of them")

    def find(self, data: dict) -> Account | None:
        """The account this row describes: same CRM id, else same domain, else same name."""
        external_id, domain, name = (data.get(key) for key in ("external_id", "domain", "name"))
        if external_id:
            account = Account.objects.filter(external_id=external_id).first()
            if account is not None:
                return account
        if domain:
            account = Account.objects.filter(domain__iexact=domain).first()
            if account is not None:
                if external_id and account.external_id:
                    raise RowInvalid(
                        [
                            (
                                "domain",
                                f"“{account.name}” has this domain but CRM id "
                                f"{account.external_id}, not {external_id}.",
                            )
                        ]
                    )
                return account
        if name:
            found = list(Account.objects.filter(name__iexact=name)[:2])
            if len(found) > 1:
                raise RowInvalid(
                    [("name", f"Several accounts are called “{name}”: add a CRM id column.")]
                )
            if found:
                account = found[0]
                # The same name with another domain or CRM id is another company.
                if (domain and account.domain) or (external_id and account.external_id):
                    return None
                return account
        return None

    @staticmethod
    def check_unique(data: dict, account: Account | None) -> None:
        """Domain and CRM id each belong to one account; say which one holds it."""
        problems = []
        for name, label in (("domain", "domain"), ("external_id", "CRM id")):
            value = data.get(name)
            if not value:
                continue
            lookup = {"domain__iexact": value} if name == "domain" else {name: value}
            other = Account.objects.filter(**lookup)
            if account is not None:
                other = other.exclude(pk=account.pk)
            holder = other.first()
            if holder is not None:
                problems.append((name, f"“{holder.name}” already has the {label} {value}."))
        if problems:
            raise RowInvalid(problems)


class IdeaImporter(Importer):
    """Ideas from another portal or a spreadsheet, posted through the same service as the
    forum's. An idea already in Lode is left as it is: once imported, it is decided here."""

    kind = "ideas"
    fields = {
        "title": "Required: 8 to 140 characters on one line.",
        "body": "The description (markdown).",
        "author": "Email of a Lode user; without it, the person importing is the author.",
        "category": "A category's name or slug, as it exists in Lode.",
        "visibility": "public (the default) or internal.",
        "status": f"One of {', '.join(Status.values)}; new by default.",
        "response": "The public explanation of the status (required to decline).",
    }
    aliases = {
        "author_email": "author",
        "email": "author",
        "submitted_by": "author",
        "description": "body",
        "details": "body",
        "state": "status",
        "public_response": "response",
        "explanation": "response",
    }
    required = ("title",)

    def import_row(self, values: dict[str, str], row: int) -> RowOutcome:
        problems: list[tuple[str, str]] = []
        form = IdeaForm({"title": values.get("title", ""), "body": values.get("body", "")})
        form.is_valid()
        problems += [(name, message) for name, message in form_errors(form) if name != "category"]
        author = self.author(values.get("author", ""), problems)
        category = self.category(values.get("category", ""), problems)
        visibility = self.choice(values, "visibility", Visibility, problems) or Visibility.PUBLIC
        status = self.choice(values, "status", Status, problems) or Status.NEW
        response = values.get("response", "")
        try:
            response = reject_control_characters(response, allow_newlines=True)
        except ValidationError as error:
            problems += [("response", message) for message in error.messages]
        if problems:
            raise RowInvalid(problems)
        title = form.cleaned_data["title"]
        by_author = bool(values.get("author"))
        key = (title.casefold(), author.pk if by_author else None)
        self.check_duplicate(key, "title", "title")
        existing = Idea.objects.filter(title__iexact=title)
        if by_author:
            existing = existing.filter(author=author)
        idea = existing.order_by("pk").first()
        if idea is not None:
            self.seen[key] = row
            return RowOutcome(row, "unchanged", idea.title, f"already in Lode as #{idea.pk}")
        idea = services.idea_submit(
            author=author,
            title=title,
            body=form.cleaned_data["body"],
            category=category,
            visibility=visibility,
        )
        if status != Status.NEW:
            services.idea_set_status(
                idea=idea, actor=self.user or author, status=status, explanation=response
            )
        self.seen[key] = row
        return RowOutcome(row, "created", idea.title, "" if status == Status.NEW else status)

    def author(self, email: str, problems: list) -> User | None:
        if not email:
            if self.user is None:
                problems.append(("author", "No author: add an author column or name a user."))
            return self.user
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            problems.append(("author", f"No Lode user has the email {email}."))
        elif not user.is_active:
            problems.append(("author", f"{user.email} is deactivated."))
        return user

    @staticmethod
    def category(name: str, problems: list) -> Category | None:
        if not name:
            return None
        category = Category.objects.filter(name__iexact=name).first()
        category = category or Category.objects.filter(slug__iexact=name).first()
        if category is None:
            problems.append(("category", f"There is no category “{name}” in Lode."))
        return category

    @staticmethod
    def choice(values: dict, name: str, choices: type, problems: list) -> str:
        raw = values.get(name, "")
        if not raw:
            return ""
        value = normalise_choice(raw, choices)
        if value not in choices.values:
            allowed = ", ".join(choices.values)
            problems.append((name, f"Unknown {name} “{raw}”: use one of {allowed}."))
            return ""
        return value


IMPORTERS: dict[str, type[Importer]] = {
    AccountImporter.kind: AccountImporter,
    IdeaImporter.kind: IdeaImporter,
}


# --- Export ----------------------------------------------------------------------------------


def export_ideas(
    out: IO[str], *, statuses: Iterable[str] = (), base_url: str = "", include_merged: bool = False
) -> int:
    """Write ideas with their evidence as CSV (the board's columns and more); returns rows.

    Text goes through the board's formula-injection guard, so a title like =HYPERLINK(…)
    stays text in a spreadsheet.
    """
    from ideas.views.board import CSV_HEADER, csv_row, csv_text

    ideas = (
        Idea.objects.select_related("evidence", "category", "owner")
        .prefetch_related("tags")
        .defer("body", "search_vector")
        .order_by("pk")
    )
    if not include_merged:
        ideas = ideas.listed()
    statuses = list(statuses)
    if statuses:
        ideas = ideas.filter(status__in=statuses)
    writer = csv.writer(out)
    writer.writerow([*CSV_HEADER, "visibility", "signals", "created_at"])
    count = 0
    for idea in _chunked(ideas):
        writer.writerow(
            [
                *csv_row(idea, base_url.rstrip("/")),
                csv_text(idea.visibility),
                idea.evidence.signals,
                idea.created_at.isoformat(),
            ]
        )
        count += 1
    return count


def _chunked(ideas: QuerySet[Idea]) -> Iterator[Idea]:
    # Chunks keep memory flat however many ideas there are; tags are prefetched per chunk.
    yield from ideas.iterator(chunk_size=500)


def describe_fields(kind: str) -> list[tuple[str, str]]:
    """(field, what it holds) for an importer, for help texts and the admin page."""
    return list(IMPORTERS[kind].fields.items())


def importer_for(kind: str, *, user: Any = None) -> Importer:
    return IMPORTERS[kind](user=user)
