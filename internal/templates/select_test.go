package templates

import (
	"testing"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

func TestSelection(t *testing.T) {
	tests := []struct {
		purpose  liaison.Purpose
		family   liaison.Family
		ack      string
		response string // "" when none is due
	}{
		{liaison.PurposeInformation, liaison.FamilyIETF, EmailIETFInfo, ""},
		{liaison.PurposeInformation, liaison.FamilyIAB, EmailIETFInfo, ""},
		{liaison.PurposeInformation, liaison.FamilyIRTF, EmailIRTF, ""},
		{liaison.PurposeResponse, liaison.FamilyIETF, EmailIETFInfo, ""},
		{liaison.PurposeResponse, liaison.FamilyIAB, EmailIETFInfo, ""},
		{liaison.PurposeResponse, liaison.FamilyIRTF, EmailIRTF, ""},
		{liaison.PurposeAction, liaison.FamilyIETF, EmailIETFAction, ResponseIETFAction},
		{liaison.PurposeAction, liaison.FamilyIAB, EmailIETFAction, ResponseIETFAction},
		{liaison.PurposeAction, liaison.FamilyIRTF, EmailIRTF, ResponseIRTFAction},
		{liaison.PurposeComment, liaison.FamilyIETF, EmailIETFAction, ResponseIETFAction},
		{liaison.PurposeComment, liaison.FamilyIAB, EmailIETFAction, ResponseIETFAction},
		{liaison.PurposeComment, liaison.FamilyIRTF, EmailIRTF, ResponseIRTFAction},
		// An unknown or missing purpose is acknowledged as information.
		{liaison.PurposeFromSlug("coordination"), liaison.FamilyIETF, EmailIETFInfo, ""},
		{liaison.PurposeFromSlug("coordination"), liaison.FamilyIRTF, EmailIRTF, ""},
		{"", liaison.FamilyIAB, EmailIETFInfo, ""},
		// Slugs as the datatracker spells them.
		{liaison.PurposeFromSlug("info"), liaison.FamilyIETF, EmailIETFInfo, ""},
		{liaison.PurposeFromSlug("action"), liaison.FamilyIRTF, EmailIRTF, ResponseIRTFAction},
	}
	for _, tc := range tests {
		t.Run(string(tc.purpose)+"/"+string(tc.family), func(t *testing.T) {
			if got := AcknowledgementName(tc.purpose, tc.family); got != tc.ack {
				t.Errorf("AcknowledgementName = %q, want %q", got, tc.ack)
			}
			got, ok := ResponseName(tc.purpose, tc.family)
			if ok != (tc.response != "") || got != tc.response {
				t.Errorf("ResponseName = %q, %v; want %q, %v", got, ok, tc.response, tc.response != "")
			}
		})
	}
}

func TestNamesAreTheSelectableTemplates(t *testing.T) {
	selectable := map[string]bool{}
	for _, p := range append(liaison.Purposes, "unknown") {
		for _, f := range []liaison.Family{liaison.FamilyIETF, liaison.FamilyIRTF, liaison.FamilyIAB} {
			selectable[AcknowledgementName(p, f)] = true
			if r, ok := ResponseName(p, f); ok {
				selectable[r] = true
			}
		}
	}
	if len(selectable) != len(Names) {
		t.Errorf("selection reaches %d templates, Names lists %d", len(selectable), len(Names))
	}
	for _, n := range Names {
		if !selectable[n] {
			t.Errorf("%s is in Names but never selected", n)
		}
	}
}
