"""Members of a shared library over HTTP: sign-in and sign-out, members (owners manage them),
API tokens; and :func:`member_access`, the check every library route runs first.

While the library has no member nothing here is needed: every route answers as before. Once it
has members, a request must carry the session cookie (HttpOnly, SameSite=Strict, Secure over
HTTPS) or ``Authorization: Bearer <member token>``; a viewer (or a read-only token) may only
read. The guard of api/guard.py (Host, Origin, Sec-Fetch-Site) runs before all of this.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from litreview.api.deps import SessionDep
from litreview.api.guard import SAFE_METHODS
from litreview.api.schemas import ERROR_RESPONSES, MAX_ID, Flag
from litreview.db import reads_before_writes
from litreview.errors import Forbidden, Unauthorized
from litreview.library import members as lib
from litreview.library.attribution import act_as
from litreview.models import Member, MemberRole, MemberSecret

SESSION_COOKIE = "litreview_session"

router = APIRouter(tags=["members"], responses=ERROR_RESPONSES)


def _bearer(request: Request) -> str | None:
    given = request.headers.get("authorization", "")
    return given[7:].strip() if given.lower().startswith("bearer ") else None


def identify(request: Request, session: SessionDep) -> tuple[Member, MemberSecret] | None:
    """The member of this request (by session cookie or API token), or None."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        found = lib.identify(session, cookie, lib.SESSION)
        if found is not None:
            return found
    token = _bearer(request)
    return lib.identify(session, token, lib.TOKEN) if token else None


def member_access(request: Request, session: SessionDep) -> Member | None:
    """Who is asking (None while accounts are off); 401 without sign-in, 403 for a viewer's or
    a read-only token's write. The request's session works for that member from here on (the
    one place every route learns who is writing: :mod:`litreview.library.attribution`)."""
    # The check's reads take no write lock and end their transaction here: the route takes
    # the lock at its own first statement (an import once its upload is read and parsed).
    with reads_before_writes(session):
        return _check_member(request, session)


def _check_member(request: Request, session: Session) -> Member | None:
    if not lib.accounts_enabled(session):
        return None
    found = identify(request, session)
    if found is None:
        raise Unauthorized(
            "this library has members: sign in (POST /api/session) or send "
            "'Authorization: Bearer <token>'"
        )
    member, secret = found
    act_as(session, member)
    if request.method not in SAFE_METHODS:
        if member.role == MemberRole.viewer:
            raise Forbidden(
                f"{member.name} is a viewer: viewers can read the library but not change it",
                role=member.role.value,
            )
        if not secret.can_write:
            raise Forbidden(f"the token {secret.name!r} is read-only", token=secret.name)
    return member


MemberDep = Annotated[Member | None, Depends(member_access)]


def _signed_in(request: Request, session: SessionDep) -> Member:
    found = identify(request, session)
    if found is None:
        raise Unauthorized("sign in first")
    return found[0]


SignedInDep = Annotated[Member, Depends(_signed_in)]


def _owner(member: SignedInDep) -> Member:
    if member.role != MemberRole.owner:
        raise Forbidden(f"only owners manage members ({member.name} is an {member.role.value})")
    return member


OwnerDep = Annotated[Member, Depends(_owner)]
MemberId = Annotated[int, Path(ge=1, le=MAX_ID)]


class MemberPublic(BaseModel):
    id: int
    name: str
    role: MemberRole
    has_password: bool

    @classmethod
    def from_row(cls, member: Member) -> MemberPublic:
        assert member.id is not None
        return cls(
            id=member.id,
            name=member.name,
            role=member.role,
            has_password=member.password_hash is not None,
        )


class SessionPublic(BaseModel):
    accounts: bool = Field(description="Whether this library has members (sign-in needed)")
    member: MemberPublic | None


class SignIn(BaseModel):
    name: str = Field(max_length=100)
    password: str = Field(max_length=lib.MAX_PASSWORD_LENGTH)


class MemberIn(BaseModel):
    name: str = Field(max_length=100)
    role: MemberRole
    password: str | None = Field(None, max_length=lib.MAX_PASSWORD_LENGTH)


class MemberUpdate(BaseModel):
    role: MemberRole | None = None
    password: str | None = Field(None, max_length=lib.MAX_PASSWORD_LENGTH)


class MemberList(BaseModel):
    items: list[MemberPublic]
    total: int


class TokenIn(BaseModel):
    name: str = Field(max_length=200)
    write: Flag = Field(False, description="Whether the token may change the library")


class TokenPublic(BaseModel):
    id: int
    name: str
    write: bool
    created_at: datetime
    token: str | None = Field(None, description="The secret, shown once when created")

    @classmethod
    def from_row(cls, row: MemberSecret, token: str | None = None) -> TokenPublic:
        assert row.id is not None
        return cls(
            id=row.id, name=row.name, write=row.can_write, created_at=row.created_at, token=token
        )


class TokenList(BaseModel):
    items: list[TokenPublic]
    total: int


@router.get("/session", response_model=SessionPublic)
def read_session(request: Request, session: SessionDep) -> SessionPublic:
    """Whether sign-in is needed, and who is signed in."""
    found = identify(request, session)
    return SessionPublic(
        accounts=lib.accounts_enabled(session),
        member=MemberPublic.from_row(found[0]) if found else None,
    )


@router.post("/session", response_model=SessionPublic)
def sign_in(
    body: SignIn, request: Request, response: Response, session: SessionDep
) -> SessionPublic:
    """Sign in (a member without a password sets it now); sets the session cookie."""
    try:
        member, secret = lib.sign_in(session, body.name, body.password)
    except (Unauthorized, Forbidden):
        session.commit()  # the count of wrong passwords
        raise
    session.commit()
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return SessionPublic(accounts=True, member=MemberPublic.from_row(member))


@router.delete("/session", status_code=204)
def sign_out(request: Request, session: SessionDep) -> Response:
    """Sign out: the session ends on the server and its cookie is cleared."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        lib.sign_out(session, cookie)
        session.commit()
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("/members", response_model=MemberList)
def read_members(_member: SignedInDep, session: SessionDep) -> MemberList:
    items = [MemberPublic.from_row(m) for m in lib.list_members(session)]
    return MemberList(items=items, total=len(items))


@router.post("/members", response_model=MemberPublic, status_code=201)
def create_member(body: MemberIn, _owner: OwnerDep, session: SessionDep) -> MemberPublic:
    """Add a member (owners only); without a password, it is set on first sign-in."""
    member = lib.add_member(session, body.name, body.role, body.password)
    session.commit()
    return MemberPublic.from_row(member)


@router.patch("/members/{member_id}", response_model=MemberPublic)
def update_member(
    member_id: MemberId, body: MemberUpdate, me: SignedInDep, session: SessionDep
) -> MemberPublic:
    """Change a role (owners) or a password (owners, or members their own)."""
    member = lib.get_member(session, member_id)
    if me.role != MemberRole.owner and (body.role is not None or me.id != member.id):
        raise Forbidden("only owners manage members; you may change your own password")
    if body.role is not None:
        lib.set_role(session, member, body.role)
    if body.password is not None:
        lib.set_password(session, member, body.password)
    session.commit()
    return MemberPublic.from_row(member)


@router.delete("/members/{member_id}", status_code=204)
def delete_member(member_id: MemberId, _owner: OwnerDep, session: SessionDep) -> Response:
    lib.remove_member(session, lib.get_member(session, member_id))
    session.commit()
    return Response(status_code=204)


@router.get("/tokens", response_model=TokenList)
def read_tokens(me: SignedInDep, session: SessionDep) -> TokenList:
    """Your API tokens (not their secrets)."""
    items = [TokenPublic.from_row(t) for t in lib.list_tokens(session, me)]
    return TokenList(items=items, total=len(items))


@router.post("/tokens", response_model=TokenPublic, status_code=201)
def create_token(body: TokenIn, me: SignedInDep, session: SessionDep) -> TokenPublic:
    """A new API token for scripts; its secret is in this answer only."""
    secret = lib.create_token(session, me, body.name, can_write=body.write)
    session.commit()
    row = lib.identify(session, secret, lib.TOKEN)
    assert row is not None
    return TokenPublic.from_row(row[1], token=secret)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: MemberId, me: SignedInDep, session: SessionDep) -> Response:
    lib.revoke_token(session, me, token_id)
    session.commit()
    return Response(status_code=204)
