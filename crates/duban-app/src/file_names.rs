//! The name an uploaded file is stored under: the one rule for attachments, whichever transport
//! received them (the HTTP room serves them back with the same clean name).

/// A file name as stored: without the path some browsers send, without control characters and
/// without the invisible characters that reorder or hide text (bidi overrides and isolates
/// U+202A–U+202E, U+2066–U+2069, marks U+200E/U+200F/U+061C, zero-width U+200B–U+200D, U+FEFF),
/// which could make `invoice\u{202E}fdp.exe` look like `invoiceexe.pdf`.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    base.chars()
        .filter(|c| {
            !c.is_control()
                && !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200F}' | '\u{061C}' | '\u{FEFF}')
        })
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_paths_controls_and_bidi_tricks() {
        assert_eq!(clean_file_name("C:\\Users\\me\\报告.pdf"), "报告.pdf");
        assert_eq!(clean_file_name("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(clean_file_name("a\u{2066}b\u{2069}c\u{200F}\u{FEFF}.txt"), "abc.txt");
        assert_eq!(clean_file_name("line\r\nbreak\t.docx"), "linebreak.docx");
        assert_eq!(clean_file_name("\u{202E} "), "");
    }
}
