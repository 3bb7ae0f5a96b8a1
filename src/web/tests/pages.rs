//! The pages' own behaviour: the agenda of a busy year in pages.

use super::*;

#[tokio::test]
async fn a_busy_years_agenda_is_shown_in_pages_of_500_the_last_first_and_downloaded_whole() {
    let b = board(&[]);
    let year = this_year();
    let since = crate::util::timefmt::stored(chrono::Utc::now());
    for i in 1..=1200 {
        b.letter(&format!("SK-{year}-{i:04}"), "arsip", &format!("Surat nomor {i}"), "B", "rahmat", &since);
    }
    let rows = |body: &str| body.matches("<tr>").count() - 1;
    let last = b.get("/agenda", LOCAL, &[]).await;
    assert!(last.body.contains("1200 surat; halaman 3 dari 3."), "{}", last.body);
    assert_eq!(rows(&last.body), 200);
    assert!(last.body.contains("Surat nomor 1200") && !last.body.contains("Surat nomor 1000<"));
    let first = b.get(&format!("/agenda?tahun={year}&halaman=1"), LOCAL, &[]).await;
    assert_eq!(rows(&first.body), 500);
    assert!(first.body.contains("Surat nomor 1<") && first.body.contains("Berikutnya"));
    let beyond = b.get(&format!("/agenda?tahun={year}&halaman=99"), LOCAL, &[]).await;
    assert!(beyond.body.contains("halaman 3 dari 3"));
    let csv = b.get(&format!("/agenda.csv?tahun={year}"), LOCAL, &[]).await;
    assert_eq!(csv.body.lines().count(), 1201, "the download holds the whole year");
}
