// "Pick from this phone's contacts" (Import page): the Contact Picker API, where the
// browser offers it (Chrome on Android), returns the chosen people; they are handed to
// the server as vCard 4.0 text, so they go through the same import as a file does.
(function () {
  "use strict";

  function escapeValue(text) {
    return String(text)
      .replace(/\\/g, "\\\\")
      .replace(/\r?\n/g, "\\n")
      .replace(/,/g, "\\,")
      .replace(/;/g, "\\;");
  }

  function toVcard(contacts) {
    const lines = [];
    for (const person of contacts) {
      const name = (person.name || []).find((value) => value && value.trim());
      if (!name) continue;
      lines.push("BEGIN:VCARD", "VERSION:4.0", "FN:" + escapeValue(name.trim()));
      for (const email of person.email || []) lines.push("EMAIL:" + escapeValue(email));
      for (const tel of person.tel || []) lines.push("TEL:" + escapeValue(tel));
      lines.push("END:VCARD");
    }
    return lines.length ? lines.join("\r\n") + "\r\n" : "";
  }

  // Resolves to the vCard text, or "" when the rep picked no one or cancelled.
  window.rapportPickContacts = async function () {
    if (!("contacts" in navigator)) return "";
    try {
      const picked = await navigator.contacts.select(["name", "email", "tel"], {
        multiple: true,
      });
      return toVcard(picked || []);
    } catch (error) {
      return "";
    }
  };
  window.rapportContactsToVcard = toVcard;
})();
