// Package templates reads the liaison templates of intarchboard/liaison-templates,
// chooses the one a statement needs and fills its placeholders.
//
// The templates' wording changes upstream from time to time (two wordings
// exist on two branches), so the app never carries their text: a Source reads
// them at run time through the GitHub contents API and keeps them in a Cache
// with their ETag, so that rereading an unchanged file costs little and a
// GitHub outage does not stop acknowledgements while a copy is at hand.
//
// Fill is strict: an acknowledgement goes to another standards body, so a
// placeholder it does not know, a stray brace or a missing value is an error
// naming the template and its blob, never a mail with "{...}" left in it.
package templates
