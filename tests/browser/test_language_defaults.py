"""Someone reading the interest form in Spanish finds "Idioma preferido" already on Español."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_the_inquiry_form_in_spanish_starts_on_spanish(live_server, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="es-US")
    page = context.new_page()
    page.goto(live_server.url + "/licensing/inquiry")
    page.wait_for_selector("html[lang=es]")
    language = page.get_by_label("Idioma preferido")
    assert language.input_value() == "es"
    assert language.evaluate("select => select.selectedOptions[0].textContent").strip() == "Español"
    context.close()
