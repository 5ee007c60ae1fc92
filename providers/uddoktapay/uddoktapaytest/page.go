package uddoktapaytest

import "regexp"

// checkPayer returns what is wrong with the sending wallet number or the
// transaction id, in the page's words, or "".
func checkPayer(sender, trxID string) string {
	switch {
	case !senderPattern.MatchString(sender):
		return "Enter the 11-digit wallet number you sent from."
	case !trxIDPattern.MatchString(trxID):
		return "The transaction ID must be 6 to 20 letters or digits."
	}
	return ""
}

var (
	senderPattern = regexp.MustCompile(`^01[0-9]{9}$`)
	trxIDPattern  = regexp.MustCompile(`^[A-Za-z0-9]{6,20}$`)
)
