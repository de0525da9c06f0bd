<?xml version="1.0" encoding="UTF-8"?>
<!-- Flattens an nmap/portscout XML report into tab-separated lines for
     tests/lab/test_raw.sh (like ports.xsl, plus the reply TTL and the scan
     type, which a raw scan reports):
       scan   TYPE SCANFLAGS                       one per <scaninfo>
       port   ADDR PORTID PROTO STATE REASON TTL   a <port> element (shown)
       extra  ADDR PORTS  PROTO STATE REASON COUNT
                                                   an <extrareasons> element, PORTS compact -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="text"/>
  <xsl:variable name="tab" select="'&#9;'"/>
  <xsl:variable name="nl" select="'&#10;'"/>
  <xsl:template match="/">
    <xsl:for-each select="/nmaprun/scaninfo">
      <xsl:value-of select="concat('scan', $tab, @type, $tab, @scanflags, $nl)"/>
    </xsl:for-each>
    <xsl:for-each select="/nmaprun/host">
      <xsl:variable name="addr" select="address[@addrtype != 'mac']/@addr"/>
      <xsl:for-each select="ports/port">
        <xsl:value-of select="concat('port', $tab, $addr, $tab, @portid, $tab, @protocol, $tab,
                                     state/@state, $tab, state/@reason, $tab,
                                     state/@reason_ttl, $nl)"/>
      </xsl:for-each>
      <xsl:for-each select="ports/extraports/extrareasons">
        <xsl:value-of select="concat('extra', $tab, $addr, $tab, @ports, $tab, @proto, $tab,
                                     ../@state, $tab, @reason, $tab, @count, $nl)"/>
      </xsl:for-each>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
