//! `suratd import --register FILE.csv --files DIR [--check]`: brings an
//! office's existing register in. Each row becomes a finished letter in
//! `arsip/YYYY/` (a cancelled one in the cancel folder) with its PDF in the
//! version store and its number kept exactly as written; each year's
//! sequence then continues after the highest imported number. What is
//! wrong with the register is decided by `letter::imported`; this module
//! reads the files and writes, in batches. Running it again imports
//! nothing twice (a number already imported is skipped), so an import
//! killed half way is finished by running it again.

use crate::config::Config;
use crate::letter::imported::{self, Problem, Row, Status};
use crate::letter::metadata::{Metadata, Party};
use crate::letter::names;
use crate::store::db::{Db, ImportedLetter};
use crate::store::{fsops, versions::Store};
use crate::workflow::{StepKind, Workflow};
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// The largest register read (a CSV of some 100,000 rows is far less).
const MAX_REGISTER: u64 = 100 * 1024 * 1024;
/// The largest PDF taken from `--files`.
const MAX_FILE: u64 = 500 * 1024 * 1024;
/// Letters per transaction.
const BATCH: usize = 500;

/// What an import did (or, with `--check`, would do).
#[derive(Debug, Default)]
pub struct Summary {
    pub rows: usize,
    pub imported: usize,
    pub with_file: usize,
    /// Rows whose number an earlier import already brought in.
    pub already: usize,
    pub problems: Vec<Problem>,
}

impl Summary {
    pub fn left_out(&self) -> usize {
        self.problems.iter().filter(|p| p.stops()).count()
    }
}

/// Reads the register's rows (problems of single rows go to `problems`).
fn read_register(path: &Path, problems: &mut Vec<Problem>) -> Result<Vec<Row>> {
    let len = std::fs::metadata(path).with_context(|| format!("cannot read the register {}", path.display()))?.len();
    anyhow::ensure!(len <= MAX_REGISTER, "the register {} is larger than 100 MB; split it by year", path.display());
    let bytes = std::fs::read(path).with_context(|| format!("cannot read the register {}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "the register {} is not UTF-8 (byte {}): save it from the spreadsheet as \"CSV UTF-8\"",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut records = reader.records();
    let head = records.next().context("the register is empty: it needs a header row")??;
    let at =
        imported::header(&head.iter().collect::<Vec<_>>()).map_err(|p| anyhow::anyhow!("{}: {p}", path.display()))?;
    let mut rows = Vec::new();
    let today = crate::util::timefmt::date_wib(chrono::Utc::now());
    for (i, rec) in records.enumerate() {
        let line = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                problems.push(Problem::Field { line, message: format!("cannot be read: {e}") });
                continue;
            }
        };
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let fields: [&str; 8] = std::array::from_fn(|c| rec.get(at[c]).unwrap_or(""));
        match imported::row(line, &fields, today) {
            Ok(r) => rows.push(r),
            Err(p) => problems.push(p),
        }
    }
    Ok(rows)
}

/// The file a row names, inside `files` (no absolute path, no `..`, no
/// link leading out), as a PDF's bytes; or why not.
fn read_file(files: &Path, rel: &str, header_only: bool) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let p = Path::new(rel);
    if p.is_absolute() || p.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err("is not a path inside --files".into());
    }
    let file = open_beneath(files, p)?;
    let meta = file.metadata().map_err(|e| format!("cannot be read ({e})"))?;
    if !meta.is_file() {
        return Err("is not a file".into());
    }
    if meta.len() > MAX_FILE {
        return Err("is larger than 500 MB".into());
    }
    // Read from the file opened (not its name again), within the limit
    // even if it grows meanwhile.
    let limit = if header_only { 1024 } else { MAX_FILE + 1 };
    let mut bytes = Vec::new();
    file.take(limit).read_to_end(&mut bytes).map_err(|e| format!("cannot be read ({e})"))?;
    if bytes.len() as u64 > MAX_FILE {
        return Err("is larger than 500 MB".into());
    }
    if !bytes[..bytes.len().min(1024)].windows(5).any(|w| w == b"%PDF-") {
        return Err("is not a PDF".into());
    }
    Ok(bytes)
}

/// Opens `rel` under `files` once, never leaving it (links that lead out
/// are refused by the kernel while the path is followed, so a folder
/// swapped for a link meanwhile cannot lead out either), without waiting
/// on a FIFO.
fn open_beneath(files: &Path, rel: &Path) -> Result<std::fs::File, String> {
    use rustix::fs::{Mode, OFlags, ResolveFlags};
    let base = rustix::fs::open(files, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())
        .map_err(|e| format!("cannot be looked up (--files: {e})"))?;
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    match rustix::fs::openat2(&base, rel, flags, Mode::empty(), ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS) {
        Ok(fd) => Ok(std::fs::File::from(fd)),
        Err(e) if e == rustix::io::Errno::XDEV => Err("leads outside --files (a link)".into()),
        Err(e) if e == rustix::io::Errno::NOENT => Err("is not there".into()),
        Err(e) => Err(format!("cannot be read ({e})")),
    }
}

/// Imports (or with `check` only looks at) the register. `progress` is told
/// (done, total) as rows are written.
pub fn run(
    cfg: &Config,
    wf: &Workflow,
    register: &Path,
    files: &Path,
    check: bool,
    progress: &dyn Fn(usize, usize),
) -> Result<Summary> {
    let mut s = Summary::default();
    let rows = read_register(register, &mut s.problems)?;
    s.rows = rows.len() + s.problems.len();
    // A running suratd gives ids and numbers: it must be stopped.
    let _lock = if check { None } else { Some(crate::store::lock::take(&cfg.database, "suratd import")?) };
    if !check {
        as_the_owner(&cfg.database)?;
    }
    if !check {
        crate::ops::init::ensure_tree(&cfg.root, wf)?;
    }
    let db = if check && !cfg.database.exists() { None } else { Some(Db::open(&cfg.database)?) };
    let given = db.as_ref().map(|d| d.numbers_given_all()).transpose()?.unwrap_or_default();
    let before: std::collections::HashSet<&str> =
        given.iter().filter(|g| g.imported).map(|g| g.number.as_str()).collect();
    let (fresh, done): (Vec<Row>, Vec<Row>) = rows.into_iter().partition(|r| !before.contains(r.nomor.as_str()));
    s.already = done.len();
    let (keep, problems) = imported::check(fresh, &taken(&given), &|r| wf.scope.key(number_date(r)));
    s.problems.extend(problems);
    let register_name = register.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut batch = Vec::new();
    let mut ids: HashMap<i32, i64> = HashMap::new();
    let total = keep.len();
    let mut db = db;
    for (i, r) in keep.iter().enumerate() {
        let file = r.berkas.as_deref().and_then(|b| match read_file(files, b, check) {
            Ok(bytes) => Some(bytes),
            Err(why) => {
                s.problems.push(Problem::File { line: r.line, path: b.to_string(), why });
                None
            }
        });
        s.with_file += usize::from(file.is_some());
        if check {
            continue;
        }
        let db = db.as_mut().expect("opened when not checking");
        let next = ids.entry(r.year).or_insert(db.last_id_of(r.year)?);
        *next += 1;
        match place(cfg, wf, r, *next, file.as_deref(), &format!("{register_name}:{}", r.line)) {
            Ok((letter, problem)) => {
                batch.push(letter);
                s.problems.extend(problem);
            }
            Err(e) => return Err(unplaced(cfg, &batch, e)),
        }
        if batch.len() == BATCH || i + 1 == total {
            if let Err(e) = write_batch(cfg, db, &batch) {
                return Err(unplaced(cfg, &batch, e));
            }
            s.imported += batch.len();
            batch.clear();
            progress(i + 1, total);
        }
    }
    Ok(s)
}

/// Refuses to write as another user than the database's owner (the
/// service user): folders made in the version store and the archive would
/// be that user's, and suratd could not add to them afterwards.
fn as_the_owner(database: &Path) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let Ok(m) = std::fs::metadata(database) else { return Ok(()) };
    let me = rustix::process::geteuid().as_raw();
    anyhow::ensure!(
        me == m.uid(),
        "run suratd import as the user that owns {} (uid {}), the one suratd runs as: sudo -u suratd suratd import …; \
         files written as another user could not be added to by suratd afterwards",
        database.display(),
        m.uid()
    );
    Ok(())
}

/// The numbers given, as `imported::check` compares the register with them.
fn taken(given: &[crate::store::db::GivenNumber]) -> imported::Taken {
    let mut t = imported::Taken::default();
    for g in given {
        t.numbers.insert(imported::same_number(&g.number), g.letter_id.clone());
        t.seqs.insert((g.scope.clone(), g.seq, g.suffix.clone()), g.letter_id.clone());
        let Ok(date) = g.date.parse::<chrono::NaiveDate>() else { continue };
        if !g.imported {
            let first = t.suratds.entry(g.scope.clone()).or_insert((g.seq, date));
            *first = (first.0.min(g.seq), first.1.min(date));
        }
    }
    t
}

/// The date a row's number counts from in its sequence (1 January of its
/// year when the register has no date).
fn number_date(r: &Row) -> chrono::NaiveDate {
    r.tanggal.unwrap_or_else(|| chrono::NaiveDate::from_ymd_opt(r.year, 1, 1).expect("a year"))
}

/// Takes a batch that will not be recorded off the share (its files would
/// lie in the archive under ids given again to other rows), and passes
/// the error on.
fn unplaced(cfg: &Config, batch: &[ImportedLetter], e: anyhow::Error) -> anyhow::Error {
    for path in batch.iter().filter_map(|l| l.path.as_ref()) {
        let _ = std::fs::remove_file(cfg.root.join(path));
    }
    e
}

/// Makes the batch's files durable (one sync per file system), then
/// records the batch in one transaction.
fn write_batch(cfg: &Config, db: &mut Db, batch: &[ImportedLetter]) -> Result<()> {
    for dir in [cfg.root.clone(), cfg.store_dir()] {
        if dir.is_dir() {
            fsops::sync_fs(&dir).with_context(|| format!("cannot sync {}", dir.display()))?;
        }
    }
    let at = crate::util::timefmt::stored(chrono::Utc::now());
    let actor =
        uzers::get_current_username().map(|u| u.to_string_lossy().into_owned()).unwrap_or_else(|| "admin".into());
    db.insert_imported(batch, &at, &actor)
}

/// Puts a row's file in the version store and in its folder on the share,
/// and makes its record.
fn place(
    cfg: &Config,
    wf: &Workflow,
    r: &Row,
    id_seq: i64,
    file: Option<&[u8]>,
    source: &str,
) -> Result<(ImportedLetter, Option<Problem>)> {
    let id = names::letter_id(&wf.id_prefix, r.year, id_seq);
    let name = names::letter_file_name(&id, &r.perihal, Some(r.sifat.as_str()));
    let (kind, state) = match r.status {
        Status::Terkirim => (StepKind::Archive, "finished"),
        Status::Batal => (StepKind::Cancel, "cancelled"),
    };
    let step = wf.step_of_kind(kind).context("the workflow has no archive or cancel step")?;
    let dir = match r.status {
        Status::Terkirim => format!("{}/{}/{}", step.folder, r.year, name.trim_end_matches(".pdf")),
        Status::Batal => step.folder.clone(),
    };
    let (mut path, mut sha256, mut size, mut problem) = (None, String::new(), 0, None);
    if let Some(bytes) = file {
        sha256 = fsops::sha256_bytes(bytes);
        size = bytes.len() as i64;
        Store::new(cfg.store_dir()).put_unsynced(&sha256, bytes).context("cannot write into the version store")?;
        // Kept in the store in any case; on the share if it can be placed.
        match put_on_share(&cfg.root, &dir, &name, bytes) {
            Ok(p) => path = Some(p),
            Err(e) => {
                let berkas = r.berkas.clone().unwrap_or_default();
                problem = Some(Problem::File { line: r.line, path: berkas, why: format!("cannot be placed ({e:#})") });
            }
        }
    }
    let date = number_date(r);
    let meta = Metadata {
        perihal: r.perihal.clone(),
        sifat: r.sifat.clone(),
        klasifikasi: r.klasifikasi.clone(),
        tanggal: r.tanggal,
        tujuan: Some(Party { nama: r.tujuan.clone(), email: None })
            .filter(|p| !p.nama.is_empty())
            .into_iter()
            .collect(),
        tembusan: Vec::new(),
        lampiran: None,
        warnings: Vec::new(),
    };
    // A number without a sequence number is kept in a sequence of its own:
    // never counted in (nor a suffix of) the one suratd continues.
    let (scope, (seq, suffix)) = match r.seq.clone() {
        Some(s) => (wf.scope.key(date), s),
        None => (format!("lama:{}", wf.scope.key(date)), (0, r.nomor.clone())),
    };
    let letter = ImportedLetter {
        id,
        year: r.year,
        seq_in_year: id_seq,
        number: r.nomor.clone(),
        subject: r.perihal.clone(),
        sifat: r.sifat.clone(),
        klasifikasi: r.klasifikasi.clone(),
        tanggal: r.tanggal.map(|d| d.to_string()),
        metadata: serde_json::to_string(&meta)?,
        state: state.into(),
        step: step.id.clone(),
        path,
        sha256,
        size,
        scope,
        seq,
        suffix,
        number_date: date.to_string(),
        source: source.into(),
    };
    Ok((letter, problem))
}

/// Writes the file into `dir` under `name` (made durable with its batch).
/// A file already there is replaced: the letter's id is not recorded yet,
/// so it is what an import stopped half way left (or something planted
/// under the letter's name).
fn put_on_share(root: &Path, dir: &str, name: &str, bytes: &[u8]) -> Result<String> {
    let target: PathBuf = root.join(dir).join(name);
    let write = || -> std::io::Result<()> {
        if std::fs::symlink_metadata(&target).is_ok_and(|m| m.is_dir()) {
            // A folder planted under the letter's name: it stays, the
            // letter's file is not placed.
            return Err(std::io::Error::new(std::io::ErrorKind::IsADirectory, "a folder has the letter's name"));
        }
        let (tmp, _) = fsops::write_temp_unsynced(&target, bytes)?;
        std::fs::rename(&tmp, &target).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    };
    write().with_context(|| format!("cannot write {}", target.display()))?;
    Ok(fsops::rel_path(root, &target).expect("under the root"))
}
