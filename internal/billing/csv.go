package billing

import "strings"

// CSVCell makes a text cell safe to open in a spreadsheet: a cell starting
// with =, +, -, @, a tab or a carriage return would be run as a formula
// (CSV injection), so it gets a leading apostrophe, which spreadsheets
// show as text. Plain decimals never start with those (amounts in exports
// are never negative).
func CSVCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
