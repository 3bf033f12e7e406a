"""The dashboard in a real browser (Debian's chromium through Playwright) against a real `mldebt serve`
on the storefront demo: every page loads clean, signed-out visitors see only the sign-in page, viewers
cannot change an item, editors can (and it is kept in the history), form posts need their CSRF token,
and the keyboard reaches the content first.

One server and one browser for the module. Screenshots (1280x800 and 768 wide, full page) go to
$MLDEBT_SCREENSHOTS when it is set (kept), else to the module's pytest temporary folder
(`screenshots0` under pytest's basetemp, which keeps the last three runs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from mldebt.service.debt_view import backlog_page
from mldebt.service.tokens import create_api_token
from mldebt.store.database import Store, open_store
from mldebt.store.drift import drift_runs
from tests.support import monitor_rows
from tests.support.dashboard import (
    CHROMIUM_ARGS,
    LAPTOP,
    TABLET,
    Dashboard,
    chromium_path,
    load_demo_store,
    screenshot_dir,
)
from tests.support.server import ServerProcess

COMPONENT = "recs-model"  # the demo component with drift runs, incidents and debt
CHART_PAGES = {"overview", "drift", "drift-run", "incidents", "feedback", "scan"}


PAGE_NAMES = ("overview", "inventory", "component", "backlog", "item", "incidents", "drift", "drift-run",
              "feedback", "scan", "monitors", "monitor-runs")
MONITOR = f"{COMPONENT}/e2e-latency"  # a monitor with runs and a firing alert, written by hand (add_monitor)


def page_paths(dashboard: Dashboard) -> dict[str, str]:
    """Every page of the dashboard behind the sign-in, by the name its screenshots get (PAGE_NAMES)."""
    return {
        "overview": "/", "inventory": "/inventory", "component": f"/inventory/{dashboard.component}",
        "backlog": "/backlog", "item": f"/backlog/{dashboard.top_item}", "incidents": "/incidents",
        "drift": "/drift", "drift-run": f"/drift/{dashboard.drift_run}", "feedback": "/feedback", "scan": "/scan",
        "monitors": "/monitors", "monitor-runs": f"/monitors?{urlencode({'key': MONITOR})}",
    }


def add_monitor(store: Store) -> None:
    """One SLO monitor of the demo component that breached after a run that held, its alert firing and
    one delivery; the demo itself defines no monitor rows, so the page would show only empty states."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with store.session() as session:
        monitor_rows.run(session, MONITOR, now - dt.timedelta(hours=2), "ok", kind="slo", value=310.0,
                         threshold=500.0, summary="p95 latency 310 ms")
        breach = monitor_rows.run(session, MONITOR, now - dt.timedelta(hours=1), "breach", kind="slo", value=912.0,
                                  threshold=500.0, summary="p95 latency 912 ms over 500 ms for 10m",
                                  evidence_url="/incidents")
        monitor_rows.schedule(session, MONITOR, kind="slo", every=3600, next_due_at=now, last_run_id=breach.id)
        alert = monitor_rows.alert(session, MONITOR, starts_at=breach.started_at, kind="slo",
                                   summary=breach.summary, generator_url="/incidents")
        monitor_rows.delivery(session, MONITOR, breach.started_at, alert_id=alert.id, http_status=200)
        session.commit()


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    chromium_path()  # no browser, no point serving
    workdir = tmp_path_factory.mktemp("dashboard")
    database_url = f"sqlite:///{workdir / 'mldebt.db'}"
    load_demo_store(database_url, workdir)
    store = open_store(database_url)
    try:
        tokens = {role: create_api_token(store, role, f"e2e-{role}")["token"] for role in ("viewer", "editor")}
        items, _ = backlog_page(store, limit=1)
        with store.session() as session:
            run = drift_runs(session, COMPONENT)[-1].id
        add_monitor(store)
    finally:
        store.close()
    server = ServerProcess(database_url, workdir).start()
    try:
        yield Dashboard(server, tokens, COMPONENT, items[0]["id"], run,
                        screenshot_dir(tmp_path_factory.mktemp("screenshots")))
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(dashboard: Dashboard) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium_path()), args=list(CHROMIUM_ARGS))
        try:
            yield launched
        finally:
            launched.close()


def new_context(browser: Browser, dashboard: Dashboard, **options: Any) -> BrowserContext:
    return browser.new_context(base_url=dashboard.url, viewport=LAPTOP, **options)


def sign_in(page: Page, dashboard: Dashboard, role: str) -> None:
    """Through the form, as a person does, landing on the overview."""
    page.goto("/login")
    page.get_by_label("API token").fill(dashboard.tokens[role])
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.url == f"{dashboard.url}/"
    expect(page.locator("header .user")).to_contain_text(f"e2e-{role} ({role})")


@pytest.fixture(scope="module")
def viewer(browser: Browser, dashboard: Dashboard) -> Iterator[BrowserContext]:
    context = new_context(browser, dashboard)
    sign_in(context.new_page(), dashboard, "viewer")
    yield context
    context.close()


@pytest.fixture(scope="module")
def editor(browser: Browser, dashboard: Dashboard) -> Iterator[BrowserContext]:
    context = new_context(browser, dashboard)
    sign_in(context.new_page(), dashboard, "editor")
    yield context
    context.close()


ABORTED_BY_NAVIGATION = "net::ERR_ABORTED"


class Problems:
    """Everything that went wrong while a page loaded: console errors, script errors, failed requests."""

    def __init__(self, page: Page) -> None:
        self.seen: list[str] = []
        page.on("console", lambda m: self.seen.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.seen.append(f"page error: {e}"))
        page.on("requestfailed", self._failed)
        page.on("response", lambda r: self.seen.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)

    def _failed(self, request: Any) -> None:
        # The browser cancelling a request because the page navigated on (a form post, a reload) while it
        # was in flight, e.g. the lazily fetched favicon, is the client's doing, not a failure of the server.
        if request.failure != ABORTED_BY_NAVIGATION:
            self.seen.append(f"request failed: {request.url} ({request.failure})")


def shoot(page: Page, dashboard: Dashboard, name: str) -> None:
    """A full-page screenshot at laptop width, then one at tablet width (which must not scroll sideways)."""
    for size, suffix in ((LAPTOP, "1280"), (TABLET, "768")):
        page.set_viewport_size(size)
        shot = dashboard.screenshots / f"{name}-{suffix}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 0
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    page.set_viewport_size(LAPTOP)
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 768px wide"


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_every_page_loads_with_one_h1_and_no_console_error_or_failed_request(viewer, dashboard, name):
    page = viewer.new_page()
    problems = Problems(page)
    response = page.goto(page_paths(dashboard)[name], wait_until="load")
    assert response is not None and response.status == 200, f"{name}: HTTP {response and response.status}"
    assert page.url == dashboard.url + page_paths(dashboard)[name]  # not sent to /login
    assert page.locator("h1").count() == 1
    if name in CHART_PAGES:
        assert page.locator("svg.chart").count() >= 1, f"{name} has no chart"
    shoot(page, dashboard, name)
    assert problems.seen == []
    page.close()


def test_the_sign_in_page_loads_clean_and_is_screenshotted(browser, dashboard):
    context = new_context(browser, dashboard)
    page = context.new_page()
    problems = Problems(page)
    page.goto("/login")
    assert page.locator("h1").all_inner_texts() == ["Sign in"]
    shoot(page, dashboard, "login")
    assert problems.seen == []
    context.close()


def test_a_signed_out_visitor_sees_only_the_sign_in_page(browser, dashboard):
    context = new_context(browser, dashboard)
    page = context.new_page()
    for path in page_paths(dashboard).values():
        page.goto(path)
        assert page.url.split("?")[0] == f"{dashboard.url}/login", path
        assert page.locator("h1").all_inner_texts() == ["Sign in"], path
        assert page.locator("nav").count() == 0, path  # not even the navigation
    assert context.request.get("/static/").status == 404  # no listing of the files
    assert context.request.get("/static/mldebt.css").status == 200  # the layout only, no data
    api = context.request.get("/api/v1/debt")
    assert api.status == 401 and api.json()["error"]["code"] == "unauthorized"
    context.close()


def test_a_viewer_sees_no_edit_form_and_cannot_post_a_change(viewer, dashboard):
    page = viewer.new_page()
    page.goto(f"/backlog/{dashboard.top_item}")
    assert page.locator("h1").count() == 1
    assert page.locator("form#edit-item").count() == 0
    before = item(dashboard, dashboard.top_item)
    refused = page.request.post(f"/backlog/{dashboard.top_item}", form={"status": "resolved", "owner": "mallory"})
    assert refused.status == 403
    after = item(dashboard, dashboard.top_item)
    assert (after["status"], after["owner"]) == (before["status"], before["owner"]) and after["status"] != "resolved"
    page.close()


def test_an_editor_changes_an_items_status_and_it_persists_with_its_history(editor, dashboard):
    page = editor.new_page()
    problems = Problems(page)
    page.goto(f"/backlog/{dashboard.top_item}")
    form = page.locator("form#edit-item")
    expect(form.locator("select[name=status]")).to_have_value("open")
    form.locator("select[name=status]").select_option("in-progress")
    form.locator("input[name=owner]").fill("ana@example.com")
    with page.expect_navigation():
        form.get_by_role("button", name="Save changes").click()
    page.reload()
    expect(page.locator("form#edit-item select[name=status]")).to_have_value("in-progress")
    expect(page.locator("form#edit-item input[name=owner]")).to_have_value("ana@example.com")
    expect(page.locator("table#history")).to_contain_text("status: open → in-progress")
    assert item(dashboard, dashboard.top_item)["status"] == "in-progress"
    assert problems.seen == []
    page.close()


def test_an_item_post_without_its_csrf_token_is_refused(editor, dashboard):
    page = editor.new_page()
    page.goto(f"/backlog/{dashboard.top_item}")
    before = item(dashboard, dashboard.top_item)
    refused = page.request.post(f"/backlog/{dashboard.top_item}", form={"status": "accepted", "owner": "mallory"})
    assert refused.status == 403 and refused.json()["error"]["code"] == "forbidden"
    after = item(dashboard, dashboard.top_item)
    assert (after["status"], after["owner"]) == (before["status"], before["owner"]) and after["owner"] != "mallory"
    page.close()


def test_a_logout_post_without_its_csrf_token_is_refused_and_the_session_lives_on(editor, dashboard):
    page = editor.new_page()
    refused = page.request.post("/logout", form={})
    assert refused.status == 403 and refused.json()["error"]["code"] == "forbidden"
    page.goto("/")
    assert page.url == f"{dashboard.url}/"  # still signed in
    page.close()


def test_a_refused_page_is_an_html_error_page_in_the_layout(viewer, dashboard):
    page = viewer.new_page()
    response = page.goto("/no-such-page")
    assert response is not None and response.status == 404
    assert page.locator("h1").all_inner_texts() == ["404: Not found"]
    assert page.get_by_role("link", name="Skip to content").count() == 1
    page.close()


def test_tab_from_the_top_reaches_the_skip_link_first_and_it_moves_focus_to_main(viewer):
    page = viewer.new_page()
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.close()


def item(dashboard: Dashboard, item_id: int) -> dict[str, Any]:
    """The item as the API has it (the browser's view is checked separately)."""
    response = httpx.get(f"{dashboard.url}/api/v1/debt/{item_id}",
                         headers={"authorization": f"Bearer {dashboard.tokens['viewer']}"}, timeout=10)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data
