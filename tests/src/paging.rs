//! Reading a whole list a page at a time, as a frontend does.

use serde_json::Value;

use crate::TestApp;

impl TestApp {
    /// Every item of the list at `path` (which may hold a query already),
    /// followed page by page with `limit`: each page holds at most `limit`
    /// items, and only the last one has a null `next_cursor`.
    pub async fn all_pages(&self, path: &str, token: Option<&str>, limit: usize) -> Vec<Value> {
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..1000 {
            let url = match &cursor {
                None => format!("{path}{separator}limit={limit}"),
                Some(c) => format!("{path}{separator}limit={limit}&cursor={c}"),
            };
            let reply = self.get(&url, token).await;
            let page = reply.assert_status(200);
            let batch = page["items"].as_array().expect("items").clone();
            assert!(batch.len() <= limit, "{url}: {} items", batch.len());
            items.extend(batch.iter().cloned());
            match page["next_cursor"].as_str() {
                Some(next) => {
                    assert_eq!(batch.len(), limit, "{url}: a short page before the last");
                    cursor = Some(next.to_owned());
                }
                None => {
                    assert_eq!(page["next_cursor"], Value::Null, "{url}");
                    return items;
                }
            }
        }
        panic!("{path}: more than 1000 pages");
    }
}
