//! The guest sysroot (`-L`, `QEMU_LD_PREFIX`): qemu-user's `path()` rule. An absolute guest
//! path is looked up under the sysroot first and used from there when it exists (even as a
//! dangling symlink), else the host path is used unchanged; relative paths are never
//! prefixed. The ELF interpreter and the path-taking syscalls that look files up (open, stat,
//! access, readlink, exec) go through [`resolve`].

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// `path` under `root` when it is absolute and exists there, else `path` itself.
pub fn resolve(root: Option<&Path>, path: &[u8]) -> Vec<u8> {
    match root {
        Some(root) if path.first() == Some(&b'/') => {
            let mut full = root.as_os_str().as_bytes().to_vec();
            full.extend_from_slice(path);
            let exists = Path::new(OsStr::from_bytes(&full))
                .symlink_metadata()
                .is_ok();
            if exists {
                full
            } else {
                path.to_vec()
            }
        }
        _ => path.to_vec(),
    }
}

/// The sysroot the command line and environment ask for: `-L` wins over `QEMU_LD_PREFIX`,
/// which wins over `EMU_LD_PREFIX`; an empty value means none.
pub fn choose(
    cli: Option<&Path>,
    env: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Option<std::path::PathBuf> {
    if let Some(p) = cli {
        return Some(p.to_path_buf());
    }
    ["QEMU_LD_PREFIX", "EMU_LD_PREFIX"]
        .iter()
        .filter_map(|k| env(k))
        .find(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    #[test]
    fn prefix_first_then_host() {
        let root = std::env::temp_dir().join(format!("emu-sysroot-{}", std::process::id()));
        std::fs::create_dir_all(root.join("lib")).unwrap();
        std::fs::write(root.join("lib/only_here"), "x").unwrap();
        let r = Some(root.as_path());
        let inside = resolve(r, b"/lib/only_here");
        assert_eq!(
            Path::new(OsStr::from_bytes(&inside)),
            root.join("lib/only_here")
        );
        assert_eq!(resolve(r, b"/lib/not_there"), b"/lib/not_there");
        assert_eq!(resolve(r, b"lib/only_here"), b"lib/only_here", "relative");
        assert_eq!(resolve(None, b"/lib/only_here"), b"/lib/only_here");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn command_line_wins_over_the_environment() {
        let env = |k: &str| match k {
            "QEMU_LD_PREFIX" => Some(OsString::from("/q")),
            "EMU_LD_PREFIX" => Some(OsString::from("/e")),
            _ => None,
        };
        assert_eq!(choose(Some(Path::new("/l")), env).unwrap(), Path::new("/l"));
        assert_eq!(choose(None, env).unwrap(), Path::new("/q"));
        let emu_only = |k: &str| (k == "EMU_LD_PREFIX").then(|| OsString::from("/e"));
        assert_eq!(choose(None, emu_only).unwrap(), Path::new("/e"));
        assert_eq!(choose(None, |_| Some(OsString::new())), None, "empty");
    }
}
