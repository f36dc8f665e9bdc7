//! Highlights are HTML fragments for frontends to render: the supplier's
//! own text is escaped, and only the `<em>` around matches is markup.

/// Private-use characters the engines put around matches before escaping,
/// so that a supplier writing `<em>` or `<script>` gets no markup.
pub(crate) const MARK_START: char = '\u{E000}';
pub(crate) const MARK_END: char = '\u{E001}';

pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Markers smuggled in the text itself are dropped.
            MARK_START | MARK_END => {}
            other => out.push(other),
        }
    }
    out
}

/// Text whose matches are wrapped in the markers → safe HTML with `<em>`.
pub(crate) fn marked_to_html(marked: &str) -> String {
    let mut out = String::with_capacity(marked.len() + 16);
    let mut segment = String::new();
    for c in marked.chars() {
        match c {
            MARK_START | MARK_END => {
                out.push_str(&escape(&segment));
                segment.clear();
                out.push_str(if c == MARK_START { "<em>" } else { "</em>" });
            }
            other => segment.push(other),
        }
    }
    out.push_str(&escape(&segment));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_match_markers_become_markup() {
        let marked = format!("<script>alert(1)</script> {MARK_START}Usinage{MARK_END} & co");
        assert_eq!(
            marked_to_html(&marked),
            "&lt;script&gt;alert(1)&lt;/script&gt; <em>Usinage</em> &amp; co"
        );
    }
}
