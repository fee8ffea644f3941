"""The API against its own OpenAPI schema (/api/schema/), with schemathesis: requests
generated from the schema (valid and not), sent in-process to Django's WSGI application
with a product manager's and a customer's token. No answer may be a 5xx, and answers must
match what the schema documents (status codes, content types, response bodies).

Each example runs in a savepoint that is rolled back, inside the test's transaction.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from portal.wsgi import application
from tests import factories

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("LODE_SCHEMATHESIS_EXAMPLES", "6"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
OPERATIONS_RUN: set[str] = set()
CASES_RUN = {"count": 0}


def served_schema() -> dict:
    """The schema /api/schema/ serves, made the same way (drf-spectacular's generator and
    JSON renderer), at import: schemathesis turns each operation into its own test."""
    generator = SchemaGenerator()
    return json.loads(
        OpenApiJsonRenderer().render(generator.get_schema(request=None, public=True))
    )


schema = schemathesis.openapi.from_dict(served_schema())
schema.app = application  # requests go in-process to Django's WSGI handler
schema.location = "/api/schema/"
# Examples and fuzzing (positive and negative data) only: the coverage phase's boundary
# cases per operation would take a minute on their own.
schema.config.phases.coverage.enabled = False


@pytest.fixture(autouse=True, scope="module")
def report_cases():
    yield
    print(  # shown with -s
        f"\nschemathesis: {len(OPERATIONS_RUN)} operations, {CASES_RUN['count']} requests"
    )


@pytest.fixture(autouse=True)
def in_process(settings):
    # The WSGI handler closes "old" connections after each request, which inside the test's
    # transaction would break it; Django's test client switches that off the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    settings.LODE_RATE_LIMITS = {}  # every example counts against one token's limits
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_schema_tested_is_the_schema_served(client):
    served = client.get("/api/schema/", {"format": "json"}, headers={"accept": "application/json"})
    assert served.status_code == 200
    assert json.loads(served.content) == served_schema()


@pytest.fixture
def tokens() -> dict[str, str]:
    """A PM's and a customer's token, and something for them to find: ideas with low ids
    (generated path ids are often small), an account, a category, a signal."""
    account = factories.AccountFactory(external_id="CRM-1")
    customer = factories.CustomerFactory(account=account)
    pm = factories.PMFactory()
    for _ in range(3):
        idea = factories.IdeaFactory(author=customer)
        factories.CommentFactory(idea=idea)
        factories.SignalFactory(idea=idea, account=account)
    return {
        "pm": Token.objects.create(user=pm).key,
        "customer": Token.objects.create(user=customer).key,
    }


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=os.environ.get("CI") == "true",
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_schema_says_and_never_fails(case, tokens):
    OPERATIONS_RUN.add(f"{case.method} {case.path}")
    for key in tokens.values():
        CASES_RUN["count"] += 1
        with rolled_back():
            response = case.call(headers={"Authorization": f"Token {key}"})
            case.validate_response(response, checks=CHECKS)


def test_blank_choices_in_responses_are_in_the_schema():
    """Regression: an account's unknown segment, region or plan and a signal without a deal
    stage are "" in responses, which the schema's enums did not admit."""
    components = served_schema()["components"]["schemas"]
    for component, field in [
        ("Account", "segment"),
        ("Account", "region"),
        ("Account", "plan"),
        ("Signal", "deal_stage"),
    ]:
        refs = json.dumps(components[component]["properties"][field])
        assert "BlankEnum" in refs, (component, field)
