"""Chromium reports no Content-Security-Policy violation and no console error on Lode's own
pages, the admin's included, under the strict policy (no 'unsafe-inline')."""

import pytest

from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI} ` +
      `at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


def test_no_page_breaks_the_content_security_policy(page, screenshot):
    admin = factories.AdminFactory(name="Ada Admin")
    account = factories.AccountFactory(name="Initech")
    idea = factories.IdeaFactory(title="Single sign-on with Okta")
    factories.SignalFactory(idea=idea, account=account, captured_by=admin)
    factories.SignalFactory(idea=None, account=account)
    page.add_init_script(RECORD_VIOLATIONS)
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)

    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(admin.email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")

    urls = [
        "/",
        idea.get_absolute_url(),
        "/ideas/new/",
        "/capture/",
        "/my/signals/",
        "/triage/",
        f"/triage/ideas/{idea.pk}/",
        "/board/",
        "/insights/",
        "/notifications/",
        "/account/delete/",
        "/accounts/2fa/",
        "/accounts/password/change/",
        "/api/docs/",
        "/admin/",
        "/admin/portal/user/",
        f"/admin/portal/user/{admin.pk}/change/",
        "/admin/ideas/idea/",
    ]
    problems = []
    for url in urls:
        response = page.goto(url)
        assert response.status < 400, (url, response.status)
        page.wait_for_load_state("load")
        violations = page.evaluate("window.__cspViolations")
        problems += [f"{url}: {v}" for v in violations]
        problems += [f"{url}: console: {e}" for e in page.js_errors]
        page.js_errors.clear()
    screenshot(page, "csp-admin")
    assert problems == [], failed
