""""Check" is three words in Spanish: the payment method ("cheque"), a background check ("verificación") and a
button that checks a certificate ("verificar", as the page's title). One msgid gave all three "Verificación" (seen
in the walkthrough: a family's payment by check read "Verificación")."""

from __future__ import annotations

from flask_babel import force_locale, gettext

from licensing.tracker.forms import PAYMENT_METHODS
from portal.models import Role
from training.payments.labels import OFFLINE_METHOD_LABELS
from training.payments.models import OfflineMethod


def test_a_check_payment_is_a_cheque_in_spanish(app):
    with app.test_request_context(), force_locale("es"):
        assert str(OFFLINE_METHOD_LABELS[OfflineMethod.CHECK]) == "Cheque"
        assert str(PAYMENT_METHODS["check"]) == "Cheque"
    with app.test_request_context(), force_locale("en"):
        assert str(OFFLINE_METHOD_LABELS[OfflineMethod.CHECK]) == "Check"


def test_the_certificate_button_checks_and_background_checks_stay_verifications(app, client, login):
    login(Role.HOMEFINDER, locale="es")
    page = client.get("/training/staff/certificates")
    assert page.status_code == 200
    assert ">Verificar</button>" in page.get_data(as_text=True)
    with app.test_request_context(), force_locale("es"):
        assert gettext("Check") == "Verificación"  # the staff checklist's background-check column
