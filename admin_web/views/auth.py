"""Sign-in with a login and password, sign-out, and the language switch."""

from __future__ import annotations

import math

from aiohttp import web

from admin_web.client_address import client_ip
from admin_web.i18n import LOCALE_COOKIE, gettext
from admin_web.keys import DB_KEY, LOGIN_ACCOUNT_LIMITER_KEY, LOGIN_LIMITER_KEY, SETTINGS_KEY, USER_KEY
from admin_web.ratelimit import acquire_all
from admin_web.render import render
from admin_web.security import is_https, public, safe_next, sign_in, sign_out
from porucheno.settings import SUPPORTED_LOCALES
from services.audit import Actor, record
from services.staff import authenticate

MAX_PASSWORD_LENGTH = 1024  # argon2 would happily hash megabytes; don't let a login form make it


@public
async def login_page(request: web.Request) -> web.StreamResponse:
    if USER_KEY in request:
        raise web.HTTPSeeOther(safe_next(request.query.get("next")))
    return await render(request, "login.html", {"login": "", "next": safe_next(request.query.get("next"))})


@public
async def login_submit(request: web.Request) -> web.StreamResponse:
    data = await request.post()
    login = str(data.get("login") or "").strip().lower()[:64]
    password = str(data.get("password") or "")
    next_url = safe_next(data.get("next"))
    db = request[DB_KEY]
    ip = client_ip(request)
    # Every attempt takes its slot before the password is checked (a failure keeps it, a success
    # frees them all), so parallel guesses cannot slip past the count while argon2 works.
    slots = (
        (request.config_dict[LOGIN_LIMITER_KEY], (ip, login)),
        (request.config_dict[LOGIN_ACCOUNT_LIMITER_KEY], login),
    )
    context = {"login": login, "next": next_url}

    wait = acquire_all(*slots)
    if wait:
        record(db, Actor(label="web"), "user", None, "login_blocked", data={"login": login, "ip": ip})
        minutes = max(1, math.ceil(wait / 60))
        context["error"] = gettext("Too many failed attempts. Try again in %(minutes)d min.", minutes=minutes)
        response = await render(request, "login.html", context, status=429)
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response

    user = None
    if login and password and len(password) <= MAX_PASSWORD_LENGTH:
        user = await authenticate(db, login, password)
    if user is None:
        record(db, Actor(label="web"), "user", None, "login_failed", data={"login": login, "ip": ip})
        context["error"] = gettext("Wrong login or password.")
        return await render(request, "login.html", context)

    for limiter, key in slots:
        limiter.reset(key)
    await sign_in(request, user)
    record(db, Actor(user_id=user.id, label="web"), "user", user.id, "login", data={"ip": ip})
    raise web.HTTPSeeOther(next_url)


async def logout(request: web.Request) -> web.StreamResponse:
    user = request[USER_KEY]
    record(request[DB_KEY], user.actor, "user", user.id, "logout")
    await sign_out(request)
    raise web.HTTPSeeOther(request.app.router["login"].url_for())


@public
async def set_locale(request: web.Request) -> web.StreamResponse:
    data = await request.post()
    lang = str(data.get("lang") or "")
    response = web.HTTPSeeOther(safe_next(data.get("next")))
    if lang in SUPPORTED_LOCALES:
        response.set_cookie(
            LOCALE_COOKIE,
            lang,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=is_https(request.config_dict[SETTINGS_KEY]),
        )
    raise response
