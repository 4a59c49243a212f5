"""Handing one message to the mail server, and what its answer means for the subscription."""

from __future__ import annotations

import enum
import logging
import smtplib
from typing import Any

from django.core.mail import EmailMessage

logger = logging.getLogger("alerts.delivery")


class Delivery(enum.Enum):
    SENT = "sent"
    # A permanent refusal of this address at submission (a 5xx answer to the recipient or the
    # message): counts towards deleting the address.
    REFUSED = "refused"
    # A temporary refusal (4xx) or our own sender or sign-in refused: tried again next run.
    DEFERRED = "deferred"
    # No mail server to talk to: every other message of the run would fail alike.
    UNREACHABLE = "unreachable"


def _permanent(code: Any) -> bool:
    return isinstance(code, int) and 500 <= code < 600


def deliver(message: EmailMessage, *, connection: Any) -> Delivery:
    """Send `message` through `connection` (Django's e-mail backend) and classify the answer.

    The connection is opened when needed and left open for the next message; the caller closes
    it. Logged without the address: the reason and the SMTP code are enough to act on.
    """
    message.connection = connection
    try:
        connection.open()
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _text in error.recipients.values()]
        logger.warning("Recipient refused by the mail server (SMTP %s)", codes)
        return Delivery.REFUSED if codes and all(map(_permanent, codes)) else Delivery.DEFERRED
    except smtplib.SMTPDataError as error:
        logger.warning("Message refused by the mail server (SMTP %s)", error.smtp_code)
        return Delivery.REFUSED if _permanent(error.smtp_code) else Delivery.DEFERRED
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError) as error:
        logger.warning("Mail server unreachable: %s", type(error).__name__)
        close_quietly(connection)
        return Delivery.UNREACHABLE
    except smtplib.SMTPException as error:
        # The sender refused, the sign-in failed, and the like: the site's fault, not the address's.
        logger.warning("Mail server refused the message: %s", type(error).__name__)
        close_quietly(connection)
        return Delivery.DEFERRED
    except OSError as error:  # After the SMTP errors, which are OSErrors too.
        logger.warning("Mail server unreachable: %s", type(error).__name__)
        close_quietly(connection)
        return Delivery.UNREACHABLE
    return Delivery.SENT


def close_quietly(connection: Any) -> None:
    """Close a mail connection; one that broke may fail to close, and the next send opens anew."""
    try:
        connection.close()
    except Exception:
        logger.debug("Closing a broken mail connection failed", exc_info=True)
