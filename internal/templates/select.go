package templates

import "github.com/liaisonbot/liaisonbot/internal/liaison"

// The templates repository and branch the app reads unless configured
// otherwise. The default branch holds the short wording.
const (
	DefaultRepo = "intarchboard/liaison-templates"
	DefaultRef  = "main"
)

// The file names of the five templates. Only the names live in the code; the
// text is read at run time.
const (
	EmailIETFInfo      = "Template-Email-IETF-Info.md"
	EmailIETFAction    = "Template-Email-IETF-Action.md"
	EmailIRTF          = "Template-Email-IRTF.md"
	ResponseIETFAction = "Template-Liaison-IETF-Action-Response.md"
	ResponseIRTFAction = "Template-Liaison-IRTF-Action-Response.md"
)

// Names lists the five templates in the order the repository's README gives
// them: the three acknowledgement emails, then the two boilerplate responses.
var Names = []string{EmailIETFInfo, EmailIETFAction, EmailIRTF, ResponseIETFAction, ResponseIRTFAction}

// AcknowledgementName is the email template that acknowledges a statement of
// purpose p addressed to family f.
//
// The IRTF uses one acknowledgement whatever the purpose. For the IETF (and the
// IAB, which uses the IETF's templates) a statement that needs a response
// (action or comment, as RFC 4053 treats comment like action) gets the action
// template; information, "in response", an empty purpose and any purpose
// slug the datatracker may add later get the information template, because
// promising discussion in working groups for a purpose nobody classified
// would promise too much.
func AcknowledgementName(p liaison.Purpose, f liaison.Family) string {
	if f.TemplateFamily() == liaison.FamilyIRTF {
		return EmailIRTF
	}
	if p.NeedsResponse() {
		return EmailIETFAction
	}
	return EmailIETFInfo
}

// ResponseName is the boilerplate response template for a statement of purpose
// p addressed to family f, and false when no response is due: only action
// and comment statements get one by default.
func ResponseName(p liaison.Purpose, f liaison.Family) (string, bool) {
	if !p.NeedsResponse() {
		return "", false
	}
	if f.TemplateFamily() == liaison.FamilyIRTF {
		return ResponseIRTFAction, true
	}
	return ResponseIETFAction, true
}
