//! Function symbols of the loaded ELF files (the program and its interpreter), for the names
//! `-d in_asm` and `-d exec` print next to guest addresses, as qemu does. Files without a
//! symbol table (stripped) contribute nothing.

/// Sorted, non-overlapping-by-start function symbols: `(start, end, name)`.
#[derive(Debug, Default)]
pub struct Symbols {
    entries: Vec<(u64, u64, String)>,
}

impl Symbols {
    /// Add the `STT_FUNC` symbols of the ELF `image`, loaded with `bias`. A file goblin cannot
    /// parse adds nothing.
    pub fn add_elf(&mut self, image: &[u8], bias: u64) {
        let Ok(elf) = goblin::elf::Elf::parse(image) else {
            return;
        };
        for sym in elf.syms.iter() {
            if sym.st_type() != goblin::elf::sym::STT_FUNC || sym.st_value == 0 {
                continue;
            }
            if let Some(name) = elf.strtab.get_at(sym.st_name).filter(|n| !n.is_empty()) {
                let start = sym.st_value.wrapping_add(bias);
                let end = start.saturating_add(sym.st_size.max(1));
                self.entries.push((start, end, name.to_string()));
            }
        }
        self.entries.sort_by_key(|e| e.0);
    }

    /// The function containing `pc`, or `""`.
    pub fn name_at(&self, pc: u64) -> &str {
        let i = self.entries.partition_point(|e| e.0 <= pc);
        self.entries[..i]
            .iter()
            .rev()
            .take(8)
            .find(|e| pc < e.1)
            .map_or("", |e| e.2.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_by_address() {
        let s = Symbols {
            entries: vec![(0x100, 0x140, "a".into()), (0x140, 0x200, "b".into())],
        };
        assert_eq!(s.name_at(0x100), "a");
        assert_eq!(s.name_at(0x13f), "a");
        assert_eq!(s.name_at(0x140), "b");
        assert_eq!(s.name_at(0x200), "");
        assert_eq!(s.name_at(0x50), "");
    }

    /// The symbols of the test binary itself: `main` is found where the ELF says it is.
    #[test]
    fn reads_a_real_symbol_table() {
        let image = std::fs::read("/proc/self/exe").unwrap();
        let mut s = Symbols::default();
        s.add_elf(&image, 0);
        let elf = goblin::elf::Elf::parse(&image).unwrap();
        let main = elf
            .syms
            .iter()
            .find(|sym| elf.strtab.get_at(sym.st_name) == Some("main"))
            .expect("test binary has main");
        assert_eq!(s.name_at(main.st_value), "main");
    }
}
