//! Subjects written to attack the page come out as text.

use super::*;

#[tokio::test]
async fn script_and_svg_subjects_come_out_escaped_on_every_page() {
    let b = board(&[]);
    let year = this_year();
    let since = crate::util::timefmt::stored(chrono::Utc::now());
    let (a, c) = (format!("SK-{year}-0001"), format!("SK-{year}-0002"));
    b.letter(&a, "verifikasi", "<script>alert(1)</script>", "B", "rahmat", &since);
    b.letter(&c, "kelengkapan", "\"><svg onload=alert(1)>", "B", "rahmat", &since);
    let paths = [
        "/".to_string(),
        format!("/surat/{a}"),
        format!("/surat/{c}"),
        "/agenda".into(),
        "/surat?q=alert".into(),
        "/surat?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E".into(),
        "/surat?q=%22%3E%3Csvg+onload%3Dalert(1)%3E".into(),
    ];
    for path in paths {
        let r = b.get(&path, LOCAL, &[("accept", "text/html")]).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.header(header::CONTENT_TYPE).starts_with("text/html"), "{path}");
        let body = r.body.to_lowercase();
        assert!(!body.contains("<script>alert") && !body.contains("<svg onload"), "{path}: {}", r.body);
        assert!(
            r.body.contains("&lt;script&gt;alert(1)") || r.body.contains("&lt;svg onload"),
            "{path} shows it: {}",
            r.body
        );
    }
}
