//! Who gets in: loopback without a users file, logins once one exists
//! (pages sent to the form, programs answered 401), HTTP Basic, limits on
//! failed logins, the session cookie, where a login leads, and the
//! security headers on every answer.

use super::*;
use base64::Engine;

fn basic(login: &str, password: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}")))
}

const PAGE: (&str, &str) = ("accept", "text/html,application/xhtml+xml");

async fn post_login(b: &Board, form: &str, headers: &[(&str, &str)]) -> Reply {
    let mut req = Request::post("/masuk").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    b.send(req.body(Body::from(form.to_string())).unwrap(), OFFICE).await
}

#[tokio::test]
async fn without_a_users_file_the_board_answers_loopback_and_refuses_others() {
    let b = board(&[]);
    assert_eq!(b.get("/", LOCAL, &[PAGE]).await.status, StatusCode::OK);
    assert_eq!(b.get("/api/letters", LOCAL, &[]).await.status, StatusCode::OK);
    let r = b.get("/", OFFICE, &[PAGE]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("suratd web passwd"), "says what to do: {}", r.body);
    assert_eq!(b.get("/api/letters", OFFICE, &[]).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn with_a_users_file_loopback_must_log_in_too_pages_go_to_the_form_and_programs_get_401() {
    let b = board(&["budi"]);
    let r = b.get("/surat/SK-2026-0001?x=1", LOCAL, &[PAGE]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header(header::LOCATION), "/masuk?next=/surat/SK-2026-0001%3Fx%3D1");
    let r = b.get("/api/letters", LOCAL, &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.header(header::WWW_AUTHENTICATE).starts_with("Basic realm="), "{:?}", r.headers);
}

#[tokio::test]
async fn http_basic_lets_in_the_right_password_and_waits_after_five_wrong_ones() {
    let b = board(&["budi"]);
    let right = basic("budi", PASSWORD);
    let wrong = basic("budi", "salah");
    assert_eq!(b.get("/api/letters", OFFICE, &[("authorization", &right)]).await.status, StatusCode::OK);
    assert_eq!(b.get("/api/letters", OFFICE, &[("authorization", &wrong)]).await.status, StatusCode::UNAUTHORIZED);
    for _ in 1..5 {
        assert_eq!(b.get("/api/letters", OFFICE, &[("authorization", &wrong)]).await.status, StatusCode::UNAUTHORIZED);
    }
    let r = b.get("/api/letters", OFFICE, &[("authorization", &right)]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits: {}", r.body);
    assert!(r.header(header::RETRY_AFTER).parse::<u64>().is_ok_and(|s| s > 0), "{:?}", r.headers);
}

#[tokio::test]
async fn logging_in_sets_a_strict_http_only_cookie_that_lets_in_until_logging_out() {
    let b = board(&["budi"]);
    let wrong = post_login(&b, "login=budi&password=salah&next=%2Fagenda", &[]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.header(header::SET_COOKIE).is_empty());

    let r = post_login(&b, &format!("login=budi&password={PASSWORD}&next=%2Fagenda"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.header(header::LOCATION), "/agenda");
    let set = r.header(header::SET_COOKIE).to_string();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");
    assert!(!set.contains("Secure"), "plain HTTP: no Secure flag ({set})");
    let cookie = set.split(';').next().unwrap().to_string();
    assert_eq!(b.get("/", OFFICE, &[PAGE, ("cookie", &cookie)]).await.status, StatusCode::OK);

    let mut out = Request::post("/keluar").header("cookie", &cookie);
    out = out.header(header::ACCEPT, "text/html");
    let r = b.send(out.body(Body::empty()).unwrap(), OFFICE).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.header(header::SET_COOKIE).contains("Max-Age=0"), "{:?}", r.headers);
    let r = b.get("/", OFFICE, &[PAGE, ("cookie", &cookie)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the session ended");
    assert!(r.header(header::LOCATION).starts_with("/masuk"));
}

#[tokio::test]
async fn behind_https_the_session_cookie_is_secure() {
    let b = board(&["budi"]);
    let r = post_login(&b, &format!("login=budi&password={PASSWORD}"), &[("x-forwarded-proto", "https")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.header(header::SET_COOKIE).contains("; Secure"), "{:?}", r.headers);
}

#[tokio::test]
async fn after_logging_in_a_next_off_the_board_leads_to_the_board() {
    let b = board(&["budi"]);
    // A browser drops tabs and line breaks from a URL: `/<TAB>/evil` is `//evil`.
    let off = [
        "%2F%2Fevil.example",
        "https%3A%2F%2Fevil",
        "%2F%5Cevil.example",
        "evil.example",
        "%2F%09%2Fevil.example",
        "%2F%0A%2Fevil.example",
        "%2F%0D%2Fevil.example",
    ];
    for next in off {
        let r = post_login(&b, &format!("login=budi&password={PASSWORD}&next={next}"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next}");
        assert_eq!(r.header(header::LOCATION), "/", "next={next}");
    }
    let form = b.get("/masuk?next=%2F%2Fevil.example", OFFICE, &[PAGE]).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(!form.body.contains("evil.example"), "the form does not carry it either: {}", form.body);
}

#[tokio::test]
async fn every_answer_carries_a_content_security_policy_without_inline_script() {
    let b = board(&["budi"]);
    let cookie = b.session("budi");
    let answers = [
        b.get("/", OFFICE, &[PAGE, ("cookie", &cookie)]).await,
        b.get("/tidak-ada", OFFICE, &[PAGE, ("cookie", &cookie)]).await,
        b.get("/surat/SK-1999-0001", OFFICE, &[PAGE, ("cookie", &cookie)]).await,
        b.get("/api/letters", OFFICE, &[]).await,
        b.get("/", OFFICE, &[PAGE]).await,
        b.get("/static/papan.css", OFFICE, &[]).await,
        b.get("/static/papan.js", OFFICE, &[]).await,
        b.get("/masuk", OFFICE, &[PAGE]).await,
        b.get("/healthz", OFFICE, &[]).await,
        b.get("/metrics", OFFICE, &[("cookie", &cookie)]).await,
    ];
    let codes: Vec<u16> = answers.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(codes, [200, 404, 404, 401, 303, 200, 200, 200, 200, 200]);
    for r in &answers {
        let csp = r.header(header::CONTENT_SECURITY_POLICY);
        assert!(csp.contains("script-src 'self'"), "{} {csp:?}", r.status);
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
        assert_eq!(r.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    }
}
