"""Words for the mileage records' stored values, translated when shown."""

from portal.mileage.models import CLAIM_STATUS_LABELS

CLAIM_STATUS = CLAIM_STATUS_LABELS
