//! kubectl-style tables: no borders, UPPERCASE headers, three-space gutters.

use comfy_table::{CellAlignment, ContentArrangement, Table, presets};

/// A table with the given headers, ready for rows.
pub(crate) fn new(headers: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_style(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(headers.iter().map(|h| h.to_uppercase()));
    for column in table.column_iter_mut() {
        column.set_padding((0, 3));
        column.set_cell_alignment(CellAlignment::Left);
    }
    table
}

/// Renders the table with the trailing gutter of each line removed.
pub(crate) fn render(table: &Table) -> String {
    let mut out = String::new();
    for line in table.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_look_like_kubectl() {
        let mut t = new(&["name", "ready"]);
        t.add_row(vec!["cassandra-0", "1/1"]);
        t.add_row(vec!["cassandra-10", "0/1"]);
        assert_eq!(
            render(&t),
            "NAME           READY\ncassandra-0    1/1\ncassandra-10   0/1\n"
        );
    }
}
