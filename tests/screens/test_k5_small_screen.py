"""K5 on a small terminal (issue: a newcomer's walk at 80×24 and 120×40): what a screen opens on
is its beginning, every button shows its whole label, every Tab stop shows the focus and is in
view, a button that changes the week keeps the focus, a time that cannot be taken says why, the
office re-reads after an enrolment (W1, W3), A6's way forward is buttons, and the idle warning
(K1) hides the person behind it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from textual.widget import Widget
from textual.widgets import Button, OptionList

from kiosk.app import KioskApp
from screens.dialogs.choice import ChoiceDialog
from screens.dialogs.hold import HoldDialog
from screens.dialogs.still_there import StillThereDialog
from screens.home import HomeScreen
from screens.login import LoginScreen, RecoveryScreen
from screens.office import OfficeScreen
from screens.receipt import ReceiptScreen
from screens.registration import RegistrationScreen
from screens.review import ReviewScreen
from screens.slots import SlotsScreen
from screens.waitlist import WaitlistScreen
from screens.widgets.page import ScrollPage
from screens.widgets.slot_grid import SlotGrid
from store import Store
from store.clock import FixedClock
from store.forms import clean_applicant_form
from store.views import ApplicantView
from tests.factories import first_free, form, open_day
from tests.screens.conftest import (
    KioskPilot,
    Outcomes,
    Ticker,
    log_in,
    screen_text,
    settle,
    tap,
    to_registration_form,
)

MakeKiosk = Callable[..., KioskApp]
SMALL, LARGE = (80, 24), (120, 40)


# -- what "seen" means ----------------------------------------------------------------------


def shown_whole(app: KioskApp, widget: Widget) -> bool:
    """Drawn on the screen, every cell of it: not scrolled away, not cut at an edge."""
    placed = app.screen._compositor.visible_widgets.get(widget)
    if placed is None:
        return False
    region, clip = placed
    return clip.intersection(app.screen.region).contains_region(region)


def shows_focus(widget: Widget) -> bool:
    """The focused widget looks focused in shape, not colour alone: a button in reverse video,
    a scrolling page with bars on its edges."""
    if isinstance(widget, Button):
        return widget.has_focus and bool(widget.styles.text_style.reverse)
    if isinstance(widget, ScrollPage):
        return widget.has_focus and bool(widget.styles.outline_left[0])
    return widget.has_focus


async def assert_every_tab_stop_is_seen(pilot: KioskPilot) -> list[str]:
    """Tab once round the screen: each stop is on screen, whole, and looks focused."""
    app = pilot.app
    assert isinstance(app, KioskApp)
    stops = list(app.screen.focus_chain)
    assert stops, "nothing on this screen takes the focus"
    seen: list[str] = []
    for _stop in stops:
        await pilot.press("tab")
        await settle(pilot)
        focused = app.screen.focused
        assert focused is not None, f"a Tab stop after {seen} shows nothing focused"
        assert shows_focus(focused), f"{focused!r} has the focus and does not show it"
        assert shown_whole(app, focused), f"{focused!r} has the focus off screen"
        seen.append(focused.id or type(focused).__name__)
    return seen


async def log_in_speaking(pilot: KioskPilot, email: str, language: str) -> None:
    """Log in (the account's language, Spanish, is taken), then F2 until `language`."""
    await log_in(pilot, email)
    app = pilot.app
    assert isinstance(app, KioskApp)
    for _press in range(3):
        if app.language == language:
            break
        await pilot.press("f2")
        await settle(pilot)
    assert app.language == language


def notices(app: KioskApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def book_directly(store: Store, person: ApplicantView) -> None:
    hold = store.hold(person.id, first_free(store))
    store.confirm(person.id, hold.id)


# -- 1. The receipt opens at its top; its Tab stops show the focus -------------------------


@pytest.mark.parametrize("language", ["es", "en"])
async def test_k5_a_fresh_receipt_opens_on_its_code_date_and_time_with_print_in_view(
    make_kiosk: MakeKiosk, registered: ApplicantView, language: str
) -> None:
    """ "Hora confirmada" at 80×24: the code, the date, the time and the office are the first
    lines seen; "Imprimir comprobante", focused, is seen too, and so is every Tab stop."""
    app = make_kiosk(language)
    async with app.run_test(size=SMALL) as pilot:
        await log_in_speaking(pilot, registered.email, language)
        await tap(pilot, "#book")
        await settle(pilot)
        await pilot.press("enter")  # Residencia temporal
        await settle(pilot)
        await pilot.press("enter")  # STG: the first free time is focused
        await settle(pilot)
        await pilot.press("enter")  # hold it
        await settle(pilot)
        await pilot.press("enter")  # confirm
        await settle(pilot)
        receipt = app.screen
        assert isinstance(receipt, ReceiptScreen) and receipt.fresh
        page = receipt.query_one("#receipt", ScrollPage)
        assert page.scroll_offset.y == 0
        assert page.max_scroll_y > 0  # it does scroll at 80×24: the test means something
        for part in ("#booking-code", "#booking-details"):
            assert shown_whole(app, receipt.query_one(part)), part
        focused = receipt.focused
        assert focused is not None and focused.id == "print"
        assert shown_whole(app, focused) and shows_focus(focused)
        assert sorted(await assert_every_tab_stop_is_seen(pilot)) == ["back", "print", "receipt"]


async def test_k5_the_receipt_from_home_opens_at_its_top_and_its_page_scrolls_with_the_arrows(
    make_kiosk: MakeKiosk, registered: ApplicantView, kiosk_store: Store
) -> None:
    """ "Comprobante de su hora": the same at 80×24; the page is a Tab stop while it scrolls,
    and its arrows scroll it, down to the warning and back."""
    book_directly(kiosk_store, registered)
    app = make_kiosk()
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, registered.email)
        await tap(pilot, "#receipt-0")
        await settle(pilot)
        receipt = app.screen
        assert isinstance(receipt, ReceiptScreen) and not receipt.fresh
        page = receipt.query_one("#receipt", ScrollPage)
        assert page.scroll_offset.y == 0 and shown_whole(app, receipt.query_one("#booking-code"))
        assert shown_whole(app, receipt.query_one("#print"))
        page.focus()
        await pilot.press("down", "down", "down", "down", "down")
        await settle(pilot)
        assert page.scroll_offset.y > 0


async def test_k5_a_page_with_nothing_to_scroll_is_no_tab_stop(
    make_kiosk: MakeKiosk, registered: ApplicantView, kiosk_store: Store
) -> None:
    """At 120×40 the receipt fits: Tab walks its buttons only, never an empty stop."""
    book_directly(kiosk_store, registered)
    app = make_kiosk()
    async with app.run_test(size=LARGE) as pilot:
        await log_in(pilot, registered.email)
        await tap(pilot, "#receipt-0")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)
        assert sorted(await assert_every_tab_stop_is_seen(pilot)) == ["back", "print"]


async def test_k5_after_leaving_the_list_the_focus_is_on_a_button_in_view(
    make_kiosk: MakeKiosk, registered: ApplicantView, kiosk_store: Store
) -> None:
    """ "Eliminarme de la lista" at 80×24, with a booking above it (home scrolls): back home,
    the focus is on a button that is seen, and every Tab stop of home shows the focus."""
    book_directly(kiosk_store, registered)
    kiosk_store.enrol(registered.id, "STG", "RD")
    app = make_kiosk()
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, registered.email)
        await tap(pilot, "#withdraw-0")
        await settle(pilot)
        await pilot.press("right", "enter")  # "Sí, eliminarme"
        await settle(pilot)
        assert kiosk_store.waitlist("STG", "RD") == []
        home = app.screen
        assert isinstance(home, HomeScreen)
        focused = home.focused
        assert focused is not None and focused.id == "book"
        assert shown_whole(app, focused) and shows_focus(focused)
        stops = await assert_every_tab_stop_is_seen(pilot)
        assert "home" in stops  # home scrolls at 80×24, so the page is a stop, and shows it


async def test_k5_the_mailbox_tab_stops_show_the_focus(
    make_kiosk: MakeKiosk, registered: ApplicantView, kiosk_store: Store
) -> None:
    book_directly(kiosk_store, registered)  # a notice with a body to open
    app = make_kiosk()
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, registered.email)
        await tap(pilot, "#mailbox")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await assert_every_tab_stop_is_seen(pilot)


# -- 2. Home's buttons whole at 80×24 -------------------------------------------------------


@pytest.mark.parametrize("language", ["es", "en", "ht"])
async def test_k5_home_shows_every_button_whole_at_80_columns(
    make_kiosk: MakeKiosk, registered: ApplicantView, kiosk_store: Store, language: str
) -> None:
    """With a booking (so home scrolls, with its scroll bar) and ten unread notices."""
    book_directly(kiosk_store, registered)
    app = make_kiosk(language)
    async with app.run_test(size=SMALL) as pilot:
        await log_in_speaking(pilot, registered.email, language)
        home = app.screen
        assert isinstance(home, HomeScreen)
        home.unread = 10  # the widest the mailbox's label gets with two digits
        await home.recompose()
        await settle(pilot)
        assert home.query_one("#home", ScrollPage).max_scroll_y > 0
        for button in home.query("#home-actions Button").results(Button):
            assert shown_whole(app, button), button.id
            label = str(button.label)
            assert button.content_region.width >= len(label), (button.id, label)


# -- 3. The list view at 80×24 --------------------------------------------------------------


async def _to_grid(
    pilot: KioskPilot, email: str, procedure_downs: int = 0, language: str = "es"
) -> SlotsScreen:
    await log_in_speaking(pilot, email, language)
    await tap(pilot, "#book")
    await settle(pilot)
    await pilot.press(*["down"] * procedure_downs, "enter")
    await settle(pilot)
    await pilot.press("enter")  # STG
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SlotsScreen)
    return screen


def footer_says(app: KioskApp, key: str) -> str:
    return app.screen.active_bindings[key].binding.description


@pytest.mark.parametrize("language", ["es", "en"])
async def test_k5_the_list_of_times_keeps_its_buttons_on_screen_and_offers_the_grid_back(
    make_kiosk: MakeKiosk, registered: ApplicantView, kiosk_store: Store, language: str
) -> None:
    # A long list: two whole days of times.
    open_day(kiosk_store, "STG", "RT", date(2026, 12, 1), "08:30-14:00", 15)
    open_day(kiosk_store, "STG", "RT", date(2026, 12, 2), "08:30-14:00", 15)
    app = make_kiosk(language)
    async with app.run_test(size=SMALL) as pilot:
        screen = await _to_grid(pilot, registered.email, language=language)
        grid_label = footer_says(app, "l")
        await pilot.press("l")
        await settle(pilot)
        assert screen.as_list and isinstance(screen.focused, OptionList)
        for button in ("#back", "#previous", "#next", "#toggle"):
            assert shown_whole(app, screen.query_one(button)), button
        back = footer_says(app, "l")
        assert back != grid_label
        assert back == str(screen.query_one("#toggle", Button).label)  # says the same thing
        await pilot.press("l")
        await settle(pilot)
        assert not screen.as_list and footer_says(app, "l") == grid_label
        assert isinstance(screen.focused, SlotGrid)


# -- 4. "Semana siguiente" keeps the focus --------------------------------------------------


async def test_k5_the_week_buttons_keep_the_focus_so_enter_changes_week_again(
    make_kiosk: MakeKiosk, registered: ApplicantView
) -> None:
    app = make_kiosk()
    async with app.run_test(size=SMALL) as pilot:
        screen = await _to_grid(pilot, registered.email)
        first = screen.week_start
        assert first is not None
        screen.query_one("#next").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert screen.week_start == first + timedelta(days=7)
        assert screen.focused is not None and screen.focused.id == "next"
        await pilot.press("enter")  # again: a week further, no time held
        await settle(pilot)
        assert app.screen is screen and not isinstance(app.screen, HoldDialog)
        assert screen.week_start == first + timedelta(days=14)
        screen.query_one("#previous").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert screen.week_start == first + timedelta(days=7)
        assert screen.focused is not None and screen.focused.id == "previous"
        await pilot.press("pagedown")  # from the grid's own keys, the focus is the grid's
        await settle(pilot)
        assert screen.focused is not None and screen.focused.id == "previous"


# -- 5. A time that cannot be taken says why ------------------------------------------------


async def _enter_on(pilot: KioskPilot, grid: SlotGrid, row: int, column: int) -> str:
    grid.focus()
    grid.move_to(row, column)
    pilot.app.clear_notifications()
    await pilot.press("enter")
    await settle(pilot)
    said = notices(pilot.app)  # type: ignore[arg-type]
    assert len(said) == 1, said
    return said[0]


@pytest.mark.parametrize(
    ("language", "holiday", "outside", "past"),
    [
        ("es", "Inmaculada Concepción", "no está abierta para reservar", "ya pasó"),
        ("en", "Immaculate Conception", "not open for booking", "has passed"),
    ],
)
async def test_b5_enter_on_a_closed_cell_says_the_holiday_or_the_hours(
    make_kiosk: MakeKiosk,
    registered: ApplicantView,
    kiosk_store: Store,
    language: str,
    holiday: str,
    outside: str,
    past: str,
) -> None:
    """RD at STG opens on Monday 7 and Wednesday 9 December; Tuesday 8 is a public holiday,
    and Wednesday has no 10:00 opened, though the office is open then: a closed cell names
    the holiday, or says the time is not open for booking (not "outside opening hours")."""
    kiosk_store.open_capacity(
        "STG", "RD", date(2026, 12, 7), date(2026, 12, 9), "09:00-10:00", 30
    )  # the 8th is skipped: a holiday
    open_day(kiosk_store, "STG", "RD", date(2026, 12, 7), "10:00-10:30", 30)
    app = make_kiosk(language)
    async with app.run_test(size=LARGE) as pilot:
        screen = await _to_grid(pilot, registered.email, 1, language)
        grid = screen.query_one(SlotGrid)
        assert grid.days[1] == date(2026, 12, 8) and grid.state_at(0, 1) == "closed"
        said = await _enter_on(pilot, grid, 0, 1)
        assert holiday in said
        assert grid.state_at(2, 2) == "closed"  # Wednesday 10:00: never opened
        assert outside in await _enter_on(pilot, grid, 2, 2)
        assert past not in said
        # Before the office opens, the hours are the reason.
        from datetime import time

        from kiosk.i18n import translator

        early = screen.why_not("closed", date(2026, 12, 9), None, time(6, 0))
        assert early == translator(language)(
            "Esa hora está fuera del horario de atención de la oficina."
        )


@pytest.mark.parametrize(("language", "past"), [("es", "ya pasó"), ("en", "has passed")])
async def test_b5_a_time_gone_by_is_past_not_full_and_says_so(
    make_kiosk: MakeKiosk,
    registered: ApplicantView,
    kiosk_store: Store,
    clock: FixedClock,
    language: str,
    past: str,
) -> None:
    """Monday 23 November (the clock's day) has times at 10:00 and 10:30 and Tuesday one at
    10:00; on Wednesday they are past (their own word, not "llena"), and so is Tuesday's empty
    10:30; Thursday's empty cells are closed."""
    open_day(kiosk_store, "STG", "RD", date(2026, 11, 23), "10:00-11:00", 30)
    open_day(kiosk_store, "STG", "RD", date(2026, 11, 24), "10:00-10:30", 30)
    open_day(kiosk_store, "STG", "RD", date(2026, 11, 26), "12:00-12:30", 30)
    clock.set(datetime(2026, 11, 25, 15, 0, tzinfo=UTC))  # Wednesday, 12:00 in Santiago
    app = make_kiosk(language)
    async with app.run_test(size=LARGE) as pilot:
        screen = await _to_grid(pilot, registered.email, 1, language)
        grid = screen.query_one(SlotGrid)
        assert grid.days[0] == date(2026, 11, 23)
        assert [grid.state_at(row, 0) for row in (0, 1)] == ["past", "past"]
        assert [grid.state_at(row, 1) for row in (0, 1)] == ["past", "past"]  # 10:30: none
        assert grid.state_at(0, 3) == "closed"  # Thursday 10:00: outside its hours
        assert "llena" not in grid.render_line(1).text and "full" not in grid.render_line(1).text
        assert past in await _enter_on(pilot, grid, 0, 0)
        assert past in await _enter_on(pilot, grid, 1, 1)
        await pilot.press("l")  # the list says the same, and Enter on it says why too
        await settle(pilot)
        options = screen.query_one("#slot-list", OptionList)
        first = str(options.get_option_at_index(0).prompt)
        assert "pasada" in first or "past" in first
        options.focus()
        options.highlighted = 0
        app.clear_notifications()
        await pilot.press("enter")
        await settle(pilot)
        assert any(past in said for said in notices(app))
        assert not isinstance(app.screen, HoldDialog)


# -- 6. After enrolling, the office re-reads ------------------------------------------------


async def test_w1_w3_after_enrolling_the_office_shows_the_place_and_offers_no_enrolment(
    make_kiosk: MakeKiosk,
    registered: ApplicantView,
    kiosk_store: Store,
    outcomes: Outcomes,
) -> None:
    others = [
        kiosk_store.register(
            form(
                email=f"otra{n}@correo.cl",
                email_confirmation=f"otra{n}@correo.cl",
                document_number=f"P765432{n}",
            ),
            terms_accepted=True,
        ).applicant
        for n in range(2)
    ]
    for other in others:
        kiosk_store.enrol(other.id, "STG", "RD")
    app = make_kiosk()
    async with app.run_test(size=SMALL, message_hook=outcomes) as pilot:
        await log_in(pilot, registered.email)
        await tap(pilot, "#book")
        await settle(pilot)
        await pilot.press("down", "enter")  # Residencia definitiva: STG is full
        await settle(pilot)
        assert "2 personas en espera" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, WaitlistScreen)
        await tap(pilot, "#enrol")
        await settle(pilot)
        await tap(pilot, "#yes")
        await settle(pilot)
        assert "Inscripción confirmada" in screen_text(app)
        await pilot.press("escape")  # back to the offices
        await settle(pilot)
        assert isinstance(app.screen, OfficeScreen)
        text = screen_text(app)
        assert "3 personas en espera" in text and "Ya está inscrito: lugar 3" in text
        await pilot.press("enter")  # the same office again
        await settle(pilot)
        waitlist = app.screen
        assert isinstance(waitlist, WaitlistScreen)
        assert "Ya está inscrito: lugar 3" in screen_text(app)
        assert not waitlist.query("#enrol")  # not offered again
        assert waitlist.focused is not None and waitlist.focused.id == "home"


async def test_w1_enrolled_meanwhile_the_refusal_says_the_place(
    make_kiosk: MakeKiosk, registered: ApplicantView, kiosk_store: Store
) -> None:
    """Enrolled at another kiosk while this one showed "Inscribirme": pressing it says the
    place ("Ya está inscrito: lugar 1"), and the screen shows the place instead."""
    app = make_kiosk()
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, registered.email)
        await tap(pilot, "#book")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        waitlist = app.screen
        assert isinstance(waitlist, WaitlistScreen) and waitlist.query("#enrol")
        kiosk_store.enrol(registered.id, "STG", "RD")  # elsewhere, a moment ago
        await tap(pilot, "#enrol")
        await settle(pilot)
        await tap(pilot, "#yes")
        await settle(pilot)
        assert app.screen is waitlist
        assert "Ya está inscrito: lugar 1" in notices(app)
        assert "Ya está inscrito: lugar 1" in screen_text(app) and not waitlist.query("#enrol")


# -- 7. A6: the duplicate's way forward, as buttons ------------------------------------------


async def _review_duplicate(pilot: KioskPilot, **changes: str) -> ReviewScreen:
    """A form (the registered person's e-mail or document) checked and shown for review."""
    await to_registration_form(pilot)
    today = date(2026, 11, 23)
    answers = form(**changes)
    pilot.app.screen.post_message(
        RegistrationScreen.Checked(answers, clean_applicant_form(answers, today))
    )
    await settle(pilot)
    review = pilot.app.screen
    assert isinstance(review, ReviewScreen)
    await tap(pilot, "#confirm")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ChoiceDialog)
    return review


@pytest.mark.parametrize("language", ["es", "en"])
async def test_a6_a_registered_email_offers_log_in_recover_and_correct(
    make_kiosk: MakeKiosk, registered: ApplicantView, outcomes: Outcomes, language: str
) -> None:
    app = make_kiosk(language)
    async with app.run_test(size=SMALL, message_hook=outcomes) as pilot:
        await _review_duplicate(pilot, document_number="Q9988776")
        dialog = app.screen
        buttons = [b.id for b in dialog.query(Button)]
        assert buttons == ["login", "recover", "correct"]
        for button in dialog.query(Button).results(Button):
            assert shown_whole(app, button), button.id
        assert dialog.focused is not None and dialog.focused.id == "login"
        await pilot.press("enter")
        await settle(pilot)
        assert outcomes.last(ReviewScreen.LoginChosen).identifier == registered.email
        login = app.screen
        assert isinstance(login, LoginScreen)
        assert login.query_one("#identifier").value == registered.email  # type: ignore[attr-defined]
        assert not any(isinstance(s, RegistrationScreen) for s in app.screen_stack)


async def test_a6_a_registered_document_leads_to_recovery_or_back_to_the_form(
    make_kiosk: MakeKiosk, registered: ApplicantView, outcomes: Outcomes
) -> None:
    app = make_kiosk()
    async with app.run_test(size=SMALL, message_hook=outcomes) as pilot:
        await _review_duplicate(pilot, email="otra@correo.cl", email_confirmation="otra@correo.cl")
        assert "documento" in screen_text(app)
        await tap(pilot, "#correct")  # stay, and correct the form
        await settle(pilot)
        assert isinstance(app.screen, RegistrationScreen)
        app.screen.post_message(
            RegistrationScreen.Checked(
                form(email="otra@correo.cl", email_confirmation="otra@correo.cl"),
                clean_applicant_form(
                    form(email="otra@correo.cl", email_confirmation="otra@correo.cl"),
                    date(2026, 11, 23),
                ),
            )
        )
        await settle(pilot)
        await tap(pilot, "#confirm")
        await settle(pilot)
        await tap(pilot, "#recover")
        await settle(pilot)
        outcomes.last(ReviewScreen.RecoveryChosen)
        assert isinstance(app.screen, RecoveryScreen)
        await pilot.press("escape")  # the way back leads to the start, not to the form
        await settle(pilot)
        assert not any(isinstance(s, RegistrationScreen) for s in app.screen_stack)


async def test_a6_the_document_identifies_the_login(
    make_kiosk: MakeKiosk, registered: ApplicantView, outcomes: Outcomes
) -> None:
    app = make_kiosk()
    async with app.run_test(size=SMALL, message_hook=outcomes) as pilot:
        await _review_duplicate(pilot, email="otra@correo.cl", email_confirmation="otra@correo.cl")
        await tap(pilot, "#login")
        await settle(pilot)
        assert outcomes.last(ReviewScreen.LoginChosen).identifier == registered.document_number


# -- 8. "¿Sigue ahí?" hides the person ------------------------------------------------------


def _picture(app: KioskApp) -> str:
    """What the terminal shows, every screen of the stack composed, as the SVG's text."""
    return app.export_screenshot().replace("&#160;", " ")


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_k1_while_the_warning_counts_down_nothing_of_the_person_shows(
    make_kiosk: MakeKiosk,
    registered: ApplicantView,
    kiosk_store: Store,
    ticker: Ticker,
    size: tuple[int, int],
) -> None:
    book_directly(kiosk_store, registered)
    kiosk_store.enrol(registered.id, "STG", "RD")
    code = kiosk_store.bookings_of(registered.id)[0].display_code or ""
    app = make_kiosk(idle_seconds=90)
    async with app.run_test(size=size) as pilot:
        await log_in(pilot, registered.email)
        before = _picture(app)
        assert "Wyddeline" in before and code in before  # the check below means something
        ticker.now += 91
        app.guard_idle()
        await settle(pilot)
        assert isinstance(app.screen, StillThereDialog)
        shown = _picture(app)
        assert "Sigue ahí" in shown
        for private in ("Wyddeline", code, "lugar"):
            assert private not in shown, private


async def test_k4_f2_on_the_grid_keeps_the_cell_and_says_why_in_the_new_language(
    make_kiosk: MakeKiosk, registered: ApplicantView, kiosk_store: Store
) -> None:
    """F2 draws the grid again: the cursor stays on Tuesday 8 December (the holiday), so the
    next Enter explains that cell, in English, instead of holding another time."""
    kiosk_store.open_capacity("STG", "RD", date(2026, 12, 7), date(2026, 12, 9), "09:00-10:00", 30)
    app = make_kiosk()
    async with app.run_test(size=SMALL) as pilot:
        screen = await _to_grid(pilot, registered.email, 1)
        grid = screen.query_one(SlotGrid)
        grid.move_to(0, 1)
        await pilot.press("f2")
        await settle(pilot)
        assert app.language == "en"
        grid = screen.query_one(SlotGrid)
        assert grid.has_focus and grid.cursor == (0, 1)
        app.clear_notifications()
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, HoldDialog)
        assert any("Immaculate Conception" in said for said in notices(app))


def test_b5_the_store_says_why_a_day_has_no_times(kiosk_store: Store, clock: FixedClock) -> None:
    """The grid's reasons come from the store: a day gone by, a public holiday (by name), the
    office's own closure (with its reason), a weekday it does not open; a working day: none."""
    kiosk_store.add_closure("STG", date(2026, 12, 10), "Desinfección")
    clock.set(datetime(2026, 11, 25, 15, 0, tzinfo=UTC))  # Wednesday 25, in Santiago
    found = {
        d.day: (d.kind, d.reason)
        for d in kiosk_store.closed_days("STG", date(2026, 11, 23), date(2026, 12, 13))
    }
    assert found[date(2026, 11, 23)] == ("past", "")
    assert found[date(2026, 11, 24)] == ("past", "")
    assert date(2026, 11, 25) not in found  # today: its times say for themselves
    assert found[date(2026, 11, 28)] == ("weekday", "sábado")
    assert found[date(2026, 12, 8)] == ("holiday", "La Inmaculada Concepción")
    assert found[date(2026, 12, 10)] == ("closure", "Desinfección")
    assert date(2026, 12, 9) not in found
