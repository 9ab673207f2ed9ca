// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

/**
 * @title CardArt
 * @notice Renders a membership card as on-chain ERC-721 metadata: JSON with an embedded SVG image.
 * @dev The co-op name is set by the deployer and escaped for both JSON and XML before it is embedded.
 */
library CardArt {
    using Strings for uint256;
    using Strings for address;

    /// @notice The `data:` URI of card `tokenId`, held by `holder` since `since` (a Unix timestamp).
    function tokenURI(
        string memory coopName,
        uint256 tokenId,
        address holder,
        uint256 since
    ) internal pure returns (string memory) {
        string memory safeName = _escape(coopName);
        string memory number = tokenId.toString();
        string memory image = Base64.encode(bytes(_svg(safeName, number, holder, since)));
        bytes memory json = abi.encodePacked(
            '{"name":"',
            safeName,
            " member #",
            number,
            '","description":"Membership card of ',
            safeName,
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
        string memory safeName,
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
                safeName,
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

    /// @dev Escapes the characters that would break out of a JSON string or an XML text node.
    function _escape(string memory input) private pure returns (string memory) {
        bytes memory src = bytes(input);
        uint256 extra = 0;
        for (uint256 i = 0; i < src.length; ++i) {
            bytes1 c = src[i];
            // Each such byte becomes a 5-byte character reference: 4 bytes more.
            if (c == '"' || c == "\\" || c == "<" || c == ">" || c == "&" || uint8(c) < 0x20) extra += 4;
        }
        if (extra == 0) return input;
        bytes memory out = new bytes(src.length + extra);
        uint256 j = 0;
        for (uint256 i = 0; i < src.length; ++i) {
            bytes1 c = src[i];
            bytes memory rep;
            if (c == '"') rep = "&#34;";
            else if (c == "\\") rep = "&#92;";
            else if (c == "<") rep = "&#60;";
            else if (c == ">") rep = "&#62;";
            else if (c == "&") rep = "&#38;";
            else if (uint8(c) < 0x20) rep = "&#32;";
            if (rep.length == 0) {
                out[j++] = c;
            } else {
                for (uint256 k = 0; k < rep.length; ++k) out[j++] = rep[k];
            }
        }
        return string(out);
    }
}
