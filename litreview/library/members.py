"""Members of a shared library: accounts with roles, passwords, sign-in sessions, API tokens.

While the library has no member it is one person's and nobody signs in (the default). The
first ``litreview users add`` turns accounts on. Passwords are hashed with Argon2 (argon2-cffi);
sessions and tokens are random secrets handed out once and stored as SHA-256 digests. A run of
wrong passwords blocks a member's sign-in for a while (the count is in the database, so it holds
across workers).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from litreview.errors import Conflict, InvalidInput, NotFound, TooManyAttempts, Unauthorized
from litreview.library.reading import hand_over_readings
from litreview.models import Member, MemberRole, MemberSecret, utcnow

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1000
# Wrong passwords in a row before sign-in is blocked, and for how long.
MAX_FAILED_SIGN_INS = 5
BLOCKED_FOR = timedelta(minutes=1)
SESSION = "session"
TOKEN = "token"

_hasher = PasswordHasher()


# Built once: every request asks it first.
_ANY_MEMBER = sa.select(col(Member.id)).limit(1)


def accounts_enabled(session: Session) -> bool:
    """Whether the library has members (and so needs sign-in)."""
    return session.connection().execute(_ANY_MEMBER).first() is not None


def clean_member_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > 100:
        raise InvalidInput("a member's name must have 1 to 100 characters", field="name")
    return cleaned


def find_member(session: Session, name: str) -> Member:
    found = session.exec(select(Member).where(Member.name == clean_member_name(name))).first()
    if found is None:
        raise NotFound(f"no member named {name!r}", field="name")
    return found


def get_member(session: Session, member_id: int) -> Member:
    found = session.get(Member, member_id)
    if found is None:
        raise NotFound(f"no member with id {member_id}", member_id=member_id)
    return found


def list_members(session: Session) -> list[Member]:
    return list(session.exec(select(Member).order_by(col(Member.name))).all())


def add_member(
    session: Session, name: str, role: MemberRole, password: str | None = None
) -> Member:
    """A new member; without a password it is set on the member's first sign-in."""
    name = clean_member_name(name)
    if session.exec(select(Member).where(Member.name == name)).first() is not None:
        raise Conflict(f"there is already a member named {name!r}", field="name")
    first_owner = role == MemberRole.owner and _owners(session) == 0
    member = Member(name=name, role=role)
    if password is not None:
        member.password_hash = hash_password(password)
    session.add(member)
    session.flush()
    if first_owner:
        assert member.id is not None
        hand_over_readings(session, member.id)
    return member


def remove_member(session: Session, member: Member) -> None:
    """Remove a member (their sessions and tokens go with them); the last owner stays."""
    if member.role == MemberRole.owner and _owners(session) <= 1:
        raise Conflict(f"{member.name!r} is the last owner: add another owner first")
    session.delete(member)
    session.flush()


def set_role(session: Session, member: Member, role: MemberRole) -> Member:
    if member.role == MemberRole.owner and role != MemberRole.owner and _owners(session) <= 1:
        raise Conflict(f"{member.name!r} is the last owner: add another owner first")
    member.role = role
    session.add(member)
    session.flush()
    return member


def _owners(session: Session) -> int:
    stmt = sa.select(sa.func.count()).where(col(Member.role) == MemberRole.owner)
    return int(session.execute(stmt).scalar_one())


def hash_password(password: str) -> str:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"a password must have {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters",
            field="password",
        )
    return _hasher.hash(password)


def set_password(session: Session, member: Member, password: str) -> None:
    """Set a member's password; every session and token of theirs stays valid but sessions
    are signed out (a changed password ends other sign-ins)."""
    member.password_hash = hash_password(password)
    member.failed_sign_ins = 0
    member.blocked_until = None
    session.add(member)
    session.execute(
        sa.delete(MemberSecret).where(
            col(MemberSecret.member_id) == member.id, col(MemberSecret.kind) == SESSION
        )
    )
    session.flush()


def sign_in(session: Session, name: str, password: str) -> tuple[Member, str]:
    """Check a member's password (setting it when they have none yet); a new session secret.

    Unauthorized names neither which part was wrong; after ``MAX_FAILED_SIGN_INS`` wrong
    passwords in a row the member is blocked for ``BLOCKED_FOR`` (TooManyAttempts).
    """
    refused = Unauthorized("wrong name or password")
    member = session.exec(select(Member).where(Member.name == " ".join(name.split()))).first()
    if member is None:
        _hasher.hash(password[:MAX_PASSWORD_LENGTH])  # the same time as a wrong password
        raise refused
    now = utcnow()
    blocked = member.blocked_until
    if blocked is not None and blocked.replace(tzinfo=now.tzinfo) > now:
        wait = int((blocked.replace(tzinfo=now.tzinfo) - now).total_seconds()) + 1
        raise TooManyAttempts(
            f"too many wrong passwords for {member.name!r}: try again in {wait} s",
            retry_after=wait,
        )
    if member.password_hash is None:
        member.password_hash = hash_password(password)
    elif not _verify(member.password_hash, password):
        member.failed_sign_ins += 1
        if member.failed_sign_ins >= MAX_FAILED_SIGN_INS:
            member.blocked_until = now + BLOCKED_FOR
            member.failed_sign_ins = 0
        session.add(member)
        session.flush()
        raise refused
    member.failed_sign_ins = 0
    member.blocked_until = None
    session.add(member)
    return member, _new_secret(session, member, SESSION)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password[:MAX_PASSWORD_LENGTH])
    except (VerificationError, InvalidHashError):
        return False


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _new_secret(
    session: Session, member: Member, kind: str, name: str = "", can_write: bool = True
) -> str:
    assert member.id is not None
    secret = secrets.token_urlsafe(32)
    session.add(
        MemberSecret(
            member_id=member.id, digest=_digest(secret), kind=kind, name=name, can_write=can_write
        )
    )
    session.flush()
    return secret


def sign_out(session: Session, secret: str) -> None:
    session.execute(sa.delete(MemberSecret).where(col(MemberSecret.digest) == _digest(secret)))


def identify(session: Session, secret: str, kind: str) -> tuple[Member, MemberSecret] | None:
    """The member a session cookie or API token belongs to (None: unknown or revoked)."""
    stmt = (
        select(Member, MemberSecret)
        .join(MemberSecret, col(MemberSecret.member_id) == col(Member.id))
        .where(col(MemberSecret.digest) == _digest(secret), col(MemberSecret.kind) == kind)
    )
    found = session.exec(stmt).first()
    return None if found is None else (found[0], found[1])


def create_token(session: Session, member: Member, name: str, *, can_write: bool) -> str:
    """A new API token for scripts (shown once); a viewer's tokens are read-only."""
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise InvalidInput("a token needs a name of 1 to 200 characters", field="name")
    writes = can_write and member.role != MemberRole.viewer
    return _new_secret(session, member, TOKEN, name=name, can_write=writes)


def list_tokens(session: Session, member: Member) -> list[MemberSecret]:
    stmt = (
        select(MemberSecret)
        .where(MemberSecret.member_id == member.id, MemberSecret.kind == TOKEN)
        .order_by(col(MemberSecret.id))
    )
    return list(session.exec(stmt).all())


def revoke_token(session: Session, member: Member, token_id: int) -> None:
    """Revoke one of the member's tokens (an owner may revoke anyone's)."""
    token = session.get(MemberSecret, token_id)
    if (
        token is None
        or token.kind != TOKEN
        or (token.member_id != member.id and member.role != MemberRole.owner)
    ):
        raise NotFound(f"no token with id {token_id}", token_id=token_id)
    session.delete(token)
    session.flush()
