//! Writes that cannot be turned against the user (issue 21): real file-system tests of the
//! CLI's one writer, through every command that writes (`report -o`, `export -o`, `import -o`,
//! `fmt`, `new`).
//!
//! Each test builds its own scratch folder with the trap in place — a symbolic link planted at
//! the temporary name an older casus used, a device, a FIFO, the input named as the output, a
//! read-only file, hard and symbolic links — runs the binary, and checks what is on disk after.
//!
//! The tests need `target/debug/casus` (`cargo build -p casus-cli`, which `cargo test
//! --workspace` does). They are Unix-only: links, FIFOs and modes are what they test.
#![cfg(unix)]
#![expect(
    clippy::unwrap_used,
    reason = "helpers of a test fail the test on any error, as the tests themselves do"
)]

use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use insta_cmd::get_cargo_bin;

const VALID: &str = "[scenario]\ntitle = \"fine\"\n\n[actors]\na = \"A\"\n\n[decisions.d]\nactor = \"a\"\noptions = [\"x\", \"y\"]\n\n[outcomes.rest]\npayoff = { a = 0 }\n";

/// The same scenario laid out badly, so `fmt` has something to do.
fn messy() -> String {
    VALID.replace(" = ", "   =   ")
}

/// A game of perfect information for `import`.
const GAME: &str = "EFG 2 R \"g\" { \"A\" \"B\" }\np \"\" 1 1 \"\" { \"l\" \"r\" } 0\nt \"\" 1 \"L\" { 1, 0 }\nt \"\" 2 \"R\" { 0, 1 }\n";

/// A fresh scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("casus-writes-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn casus(dir: &Path) -> Command {
    let mut command = Command::new(get_cargo_bin("casus"));
    command.current_dir(dir).env("NO_COLOR", "1");
    command
}

fn run(dir: &Path, args: &[&str]) -> Output {
    casus(dir).args(args).output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every command that writes to `-o`, writing `out`; the scenario is `s.toml`, the game
/// `g.efg`, both in the folder.
fn writers(out: &str) -> Vec<Vec<String>> {
    let args = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    vec![
        args(&["report", "s.toml", "-o", out]),
        args(&["export", "s.toml", "--format", "efg", "-o", out]),
        args(&["import", "g.efg", "-o", out]),
    ]
}

fn setup(name: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::write(dir.join("s.toml"), VALID).unwrap();
    std::fs::write(dir.join("g.efg"), GAME).unwrap();
    dir
}

/// The names in a folder, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

/// The exploit of issue 21: a symbolic link planted at the temporary name casus 0.1 used
/// (`.NAME.casus-tmp-PID`, the PID being the shell's, which `exec` keeps). The victim must
/// be untouched, the report written, and the planted link left as it was.
#[test]
fn a_link_planted_at_the_old_temporary_name_is_not_followed() {
    let dir = setup("planted-link");
    std::fs::write(dir.join("victim"), "precious\n").unwrap();
    for args in writers("out.txt") {
        let script = format!(
            "ln -sf victim .out.txt.casus-tmp-$$; exec \"$0\" {}",
            args.join(" ")
        );
        let output = Command::new("sh")
            .current_dir(&dir)
            .args(["-c", &script])
            .arg(get_cargo_bin("casus"))
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("victim")).unwrap(),
            "precious\n",
            "{args:?} wrote through the planted link"
        );
        let written = std::fs::read_to_string(dir.join("out.txt")).unwrap();
        assert!(!written.is_empty() && written != "precious\n", "{args:?}");
        assert!(
            std::fs::symlink_metadata(dir.join("out.txt"))
                .unwrap()
                .file_type()
                .is_file()
        );
        std::fs::remove_file(dir.join("out.txt")).unwrap();
    }
    // Nothing but the planted links (one per PID) and the inputs is left: no temporary file.
    for name in names(&dir) {
        assert!(
            ["s.toml", "g.efg", "victim"].contains(&name.as_str())
                || name.starts_with(".out.txt.casus-tmp-"),
            "left behind: {name}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `fmt` of casus 0.1 deleted a file that happened to carry its temporary name; now a file
/// planted at that name, or at any name, is never deleted or changed.
#[test]
fn fmt_never_deletes_a_file_it_did_not_create() {
    let dir = scratch("planted-file");
    std::fs::write(dir.join("s.toml"), messy()).unwrap();
    let script = "echo keep > .s.toml.casus-fmt-$$; echo keep > .s.toml.casus-tmp-$$; exec \"$0\" fmt s.toml";
    let output = Command::new("sh")
        .current_dir(&dir)
        .args(["-c", script])
        .arg(get_cargo_bin("casus"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(dir.join("s.toml")).unwrap(), VALID);
    let planted: Vec<String> = names(&dir).into_iter().filter(|n| n != "s.toml").collect();
    assert_eq!(planted.len(), 2, "{planted:?}");
    for name in planted {
        assert_eq!(
            std::fs::read_to_string(dir.join(&name)).unwrap(),
            "keep\n",
            "{name}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `-o /dev/null` writes into the device; it is never replaced by a regular file.
#[test]
fn a_device_is_written_in_place_never_replaced() {
    let dir = setup("device");
    let before = std::fs::symlink_metadata("/dev/null").unwrap();
    for args in writers("/dev/null") {
        let output = run(&dir, &args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
        let after = std::fs::symlink_metadata("/dev/null").unwrap();
        assert!(
            std::os::unix::fs::FileTypeExt::is_char_device(&after.file_type()),
            "{args:?} replaced /dev/null"
        );
        assert_eq!((after.dev(), after.ino()), (before.dev(), before.ino()));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A FIFO is written into (a reader gets the report) and stays a FIFO.
#[test]
fn a_fifo_is_written_in_place_never_replaced() {
    let dir = setup("fifo");
    let fifo = dir.join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let output = run(&dir, &["report", "s.toml", "-o", "pipe"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let read = reader.join().unwrap();
    assert!(read.starts_with('#') && read.contains("fine"), "{read}");
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(&kind));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The input named as the output, directly, through a symbolic link, through a hard link or
/// by another spelling, is refused with exit 2 and left as it was.
#[test]
fn an_output_that_is_an_input_is_refused() {
    let dir = setup("same-path");
    std::os::unix::fs::symlink("s.toml", dir.join("link.toml")).unwrap();
    std::fs::hard_link(dir.join("s.toml"), dir.join("hard.toml")).unwrap();
    std::os::unix::fs::symlink("g.efg", dir.join("link.efg")).unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["report", "s.toml", "-o", "s.toml"],
        vec!["report", "s.toml", "-o", "./s.toml"],
        vec!["report", "s.toml", "-o", "link.toml"],
        vec!["report", "s.toml", "-o", "hard.toml"],
        vec!["export", "s.toml", "--format", "efg", "-o", "s.toml"],
        vec![
            "export",
            "s.toml",
            "--format",
            "silverdecisions",
            "-o",
            "link.toml",
        ],
        vec!["import", "g.efg", "-o", "g.efg"],
        vec!["import", "g.efg", "-o", "link.efg"],
    ];
    for args in cases {
        let output = run(&dir, &args);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {message}");
        assert!(
            message.contains("an input of this command; name another output file"),
            "{args:?}: {message}"
        );
        assert_eq!(std::fs::read_to_string(dir.join("s.toml")).unwrap(), VALID);
        assert_eq!(std::fs::read_to_string(dir.join("g.efg")).unwrap(), GAME);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A read-only file is refused by `fmt` and by `-o`, with a message saying why, even for root
/// (who could write it): the mode says the user wants it left alone.
#[test]
fn a_read_only_file_is_refused() {
    let dir = setup("read-only");
    let target = dir.join("ro.toml");
    std::fs::write(&target, messy()).unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o444)).unwrap();
    let mut cases: Vec<Vec<String>> = writers("ro.toml");
    cases.push(vec!["fmt".to_owned(), "ro.toml".to_owned()]);
    for args in cases {
        let output = run(&dir, &args.iter().map(String::as_str).collect::<Vec<_>>());
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {message}");
        assert_eq!(
            message,
            "error: cannot write `ro.toml`: the file is read-only; casus does not overwrite it: make it writable first (`chmod u+w`)\n",
            "{args:?}"
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), messy());
        let mode = std::fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o444);
    }
    // `fmt --check` only reads, so it reports the file as it would any other.
    let output = run(&dir, &["fmt", "--check", "ro.toml"]);
    assert_eq!(output.status.code(), Some(1));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `fmt` keeps a file's permissions, formats a symbolic link's target (keeping the link) and a
/// hard-linked file in place (keeping the links one file).
#[test]
fn fmt_keeps_modes_links_and_hard_links() {
    let dir = scratch("fmt-links");
    let real = dir.join("real.toml");
    std::fs::write(&real, messy()).unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink("real.toml", dir.join("link.toml")).unwrap();
    let hard = dir.join("hard.toml");
    std::fs::write(&hard, messy()).unwrap();
    std::fs::hard_link(&hard, dir.join("other-name.toml")).unwrap();
    let inode = std::fs::metadata(&hard).unwrap().ino();

    let output = run(&dir, &["fmt", "link.toml", "hard.toml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Through the link: the target is formatted, the link is still a link.
    assert_eq!(std::fs::read_to_string(&real).unwrap(), VALID);
    let link = std::fs::symlink_metadata(dir.join("link.toml")).unwrap();
    assert!(link.file_type().is_symlink());
    assert_eq!(
        std::fs::read_link(dir.join("link.toml")).unwrap(),
        Path::new("real.toml")
    );
    assert_eq!(
        std::fs::metadata(&real).unwrap().permissions().mode() & 0o7777,
        0o640
    );
    // The hard links are still one file, formatted under both names.
    let meta = std::fs::metadata(&hard).unwrap();
    assert_eq!((meta.ino(), meta.nlink()), (inode, 2));
    assert_eq!(
        std::fs::read_to_string(dir.join("other-name.toml")).unwrap(),
        VALID
    );
    assert_eq!(
        names(&dir),
        ["hard.toml", "link.toml", "other-name.toml", "real.toml"]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `-o` through a symbolic link writes the link's target and keeps the link; a link to
/// nothing is refused rather than followed to create a file where it points.
#[test]
fn an_output_link_is_written_through_and_a_dangling_one_refused() {
    let dir = setup("output-link");
    std::fs::write(dir.join("report.md"), "old\n").unwrap();
    std::os::unix::fs::symlink("report.md", dir.join("latest.md")).unwrap();
    let output = run(&dir, &["report", "s.toml", "-o", "latest.md"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        std::fs::read_to_string(dir.join("report.md"))
            .unwrap()
            .contains("fine")
    );
    assert!(
        std::fs::symlink_metadata(dir.join("latest.md"))
            .unwrap()
            .file_type()
            .is_symlink()
    );

    std::os::unix::fs::symlink("nowhere/planted.md", dir.join("dangling.md")).unwrap();
    let output = run(&dir, &["report", "s.toml", "-o", "dangling.md"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("it is a symbolic link to nothing"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.join("nowhere").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `report FILE -o existing_dir/` says the folder is a folder and names the file it could
/// write; nothing is written.
#[test]
fn a_folder_as_the_output_of_one_report_is_explained() {
    let dir = setup("output-folder");
    std::fs::create_dir(dir.join("out")).unwrap();
    let output = run(&dir, &["report", "s.toml", "-o", "out/"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: cannot write `out/`: it is a folder; with one scenario, `-o` names the report file, such as `out/s.md`\n"
    );
    assert!(names(&dir.join("out")).is_empty());
    let output = run(&dir, &["export", "s.toml", "--format", "efg", "-o", "out"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: cannot write `out`: it is a folder; name a file to write instead\n"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A replaced report keeps the mode the user gave it; a new one gets the usual mode (not the
/// 0600 of a temporary file).
#[test]
fn a_replaced_output_keeps_its_mode() {
    let dir = setup("modes");
    let target = dir.join("out.md");
    std::fs::write(&target, "old\n").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o664)).unwrap();
    let output = run(&dir, &["report", "s.toml", "-o", "out.md"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o664);

    // Under a known umask, so the expected mode does not depend on the caller's.
    let output = Command::new("sh")
        .current_dir(&dir)
        .args(["-c", "umask 022; exec \"$0\" new talks"])
        .arg(get_cargo_bin("casus"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let mode = std::fs::metadata(dir.join("talks.toml"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o777,
        0o644,
        "a new scenario gets 0666 less the umask: {mode:o}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
