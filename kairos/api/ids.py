"""Row ids in URL paths: one type for the API and one for the pages, so that no route hands the database an id
it cannot compare (SQLite raises OverflowError past 2**63 - 1, which used to be an anonymous 500).

An id outside 1..MAX_ID names no row, so it is "not found", exactly like an unknown id: the API answers its
JSON 404 (``not_found``), a page its 404 page. The API keeps refusing what is not an integer at all with 422
``validation_error`` (field ``resourceId``, ...); a page answers 404 for that too, as for any URL that is not
one of its pages. The exception passes through pydantic untouched (it is neither ValueError nor
AssertionError) and Starlette's handlers render it as a JSON or an HTML 404 by path (kairos/web/__init__.py)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BeforeValidator
from starlette.exceptions import HTTPException

from kairos.api.schemas.common import MAX_ID

_DIGITS = len(str(MAX_ID))


def _not_found() -> HTTPException:
    return HTTPException(404, "not found")


def _existing_range(value: int) -> int:
    if not 1 <= value <= MAX_ID:
        raise _not_found()
    return value


def _page_id(value: object) -> int:
    text = str(value)
    if not (text.isascii() and text.isdigit() and len(text) <= _DIGITS) or not 1 <= int(text) <= MAX_ID:
        raise _not_found()
    return int(text)


PathId = Annotated[int, AfterValidator(_existing_range)]
"""An API path id: 422 when it is not an integer, 404 when no row can have it."""
PageId = Annotated[int, BeforeValidator(_page_id)]
"""A page path id: 404 unless it is the decimal digits of a possible row id."""
