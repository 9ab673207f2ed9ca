// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

/**
 * @title CardArt
 * @notice Renders a membership card as on-chain ERC-721 metadata: JSON with an embedded SVG image.
 * @dev The co-op name is set by the deployer. It is escaped twice, for each place it goes: for the JSON strings by
 * OpenZeppelin's `Strings.escapeJSON` (`"` and `\` and the control characters as JSON escapes, so a reader's
 * `JSON.parse` gives the name back as written), and for the SVG's text node by {_escapeXML} (XML's predefined
 * entities). The SVG travels base64-encoded inside the JSON, so the two escapings never mix.
 */
library CardArt {
    using Strings for uint256;
    using Strings for address;
    using Strings for string;

    /// @notice The `data:` URI of card `tokenId`, held by `holder` since `since` (a Unix timestamp).
    function tokenURI(
        string memory coopName,
        uint256 tokenId,
        address holder,
        uint256 since
    ) internal pure returns (string memory) {
        string memory jsonName = coopName.escapeJSON();
        string memory number = tokenId.toString();
        string memory image = Base64.encode(bytes(_svg(_escapeXML(coopName), number, holder, since)));
        bytes memory json = abi.encodePacked(
            '{"name":"',
            jsonName,
            " member #",
            number,
            '","description":"Membership card of ',
            jsonName,
            '. Soulbound: it cannot be sold or transferred; one member, one card, one equal voice.",',
            '"attributes":[{"trait_type":"Member number","value":',
            number,
            '},{"display_type":"date","trait_type":"Member since","value":',
            since.toString(),
            '}],"image":"data:image/svg+xml;base64,',
            image,
            '"}'
        );
        return string.concat("data:application/json;base64,", Base64.encode(json));
    }

    function _svg(
        string memory xmlName,
        string memory number,
        address holder,
        uint256 since
    ) private pure returns (string memory) {
        return
            string.concat(
                '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 340 214" font-family="Helvetica,Arial,sans-serif">',
                '<rect width="340" height="214" rx="16" fill="#14532d"/>',
                '<rect x="10" y="10" width="320" height="194" rx="10" fill="none" stroke="#86efac" stroke-opacity=".4"/>',
                '<text x="24" y="44" fill="#f0fdf4" font-size="18" font-weight="700">',
                xmlName,
                "</text>",
                '<text x="24" y="66" fill="#bbf7d0" font-size="11" letter-spacing="2">MEMBERSHIP CARD</text>',
                '<text x="24" y="124" fill="#f0fdf4" font-size="40" font-weight="700">#',
                number,
                "</text>",
                '<text x="24" y="168" fill="#bbf7d0" font-size="9" font-family="monospace">',
                holder.toChecksumHexString(),
                "</text>",
                '<text x="24" y="188" fill="#bbf7d0" font-size="9">member since unix ',
                since.toString(),
                " - one member, one voice</text></svg>"
            );
    }

    /// @dev Escapes `input` for an XML text node: `&`, `<`, `>`, `"` and `'` become XML's predefined entities, and a
    /// carriage return becomes `&#13;` (a parser would turn a raw one into a line feed). Tabs and line feeds are
    /// legal XML and stay as written; the other control characters are not allowed in XML 1.0 at all (not even as
    /// character references), so each becomes a space.
    function _escapeXML(string memory input) private pure returns (string memory) {
        bytes memory src = bytes(input);
        bytes memory out = new bytes(src.length * 6); // "&quot;" is the longest replacement: 6 bytes for 1
        uint256 j = 0;
        for (uint256 i = 0; i < src.length; ++i) {
            bytes1 c = src[i];
            bytes memory rep;
            if (c == "&") rep = "&amp;";
            else if (c == "<") rep = "&lt;";
            else if (c == ">") rep = "&gt;";
            else if (c == '"') rep = "&quot;";
            else if (c == "'") rep = "&apos;";
            else if (c == 0x0d) rep = "&#13;";
            else if (uint8(c) < 0x20 && c != 0x09 && c != 0x0a) rep = " ";
            if (rep.length == 0) out[j++] = c;
            else for (uint256 k = 0; k < rep.length; ++k) out[j++] = rep[k];
        }
        // Shrink the buffer to what was written: `j` <= its allocated length.
        assembly ("memory-safe") {
            mstore(out, j)
        }
        return string(out);
    }
}
