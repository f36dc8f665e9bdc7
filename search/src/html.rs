//! Highlights are HTML fragments for frontends to render: the supplier's
//! own text is escaped, and only the `<em>` around matches is markup.

pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suppliers_markup_is_text() {
        assert_eq!(
            escape("<script>alert('1')</script> & co"),
            "&lt;script&gt;alert(&#39;1&#39;)&lt;/script&gt; &amp; co"
        );
    }
}
